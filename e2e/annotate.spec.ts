/**
 * The annotation workflow in the real browser with real IndexedDB and the real inference worker:
 * import → predict → correct at the keyboard → crash → reopen → everything is there → export → train/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, expect, type Page, test } from '@playwright/test';
import { ANNOTATE_URL, openAnnotate, openImportDialog, waitForPredictions } from './annotate-helpers';

const MEDLINE_FILE = resolve('tests/fixtures/pubmed/pubmed_result2.txt');

interface ExportedRecord {
  id: string;
  pmid?: string;
  title?: string;
  text: string;
  labels: string[];
  status: string;
  annotator?: string;
  note?: string;
  model?: { id: string; version: string };
  scores?: Record<string, number>;
  model_labels?: string[];
  updated_at?: string;
}

/** A browser profile on disk, so IndexedDB outlives the browser (a fresh context would start empty). */
async function openProfile(profile: string): Promise<BrowserContext> {
  const { use } = test.info().project;
  return chromium.launchPersistentContext(profile, { ...use.launchOptions, baseURL: use.baseURL, acceptDownloads: true });
}

async function importFile(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await openImportDialog(page);
  await page.getByTestId('import-file').setInputFiles(file);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-report')).toBeVisible();
}

async function importPasted(page: Page, text: string): Promise<void> {
  await openImportDialog(page);
  await page.getByLabel('Pasted text').check();
  await page.getByLabel('Text to import').fill(text);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-report')).toBeVisible();
}

async function closeDialog(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
}

/** Moves focus off any field or button onto plain text, so keys go to the view. */
async function focusView(page: Page): Promise<void> {
  await page.getByTestId('batch-progress').click();
}

async function currentKey(page: Page): Promise<string> {
  const key = await page.locator('[data-doc-key]').getAttribute('data-doc-key');
  if (!key) throw new Error('no document on screen');
  return key;
}

async function pressedLabels(page: Page): Promise<string[]> {
  return page
    .locator('.aw-toggle[aria-pressed="true"]')
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-label') ?? ''));
}

async function allLabels(page: Page): Promise<string[]> {
  return page.locator('.aw-toggle').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-label') ?? ''));
}

/** Exports through the dialog and returns the downloaded file's records. */
async function exportJsonl(page: Page, scope: RegExp): Promise<{ text: string; records: ExportedRecord[] }> {
  await page.getByTestId('open-export').click();
  await page.getByLabel(scope).check();
  await page.getByLabel(/JSON Lines/).check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  const path = await download.path();
  const text = readFileSync(path, 'utf8');
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  return {
    text,
    records: text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportedRecord),
  };
}

function symmetricToggle(labels: string[], label: string): string[] {
  return labels.includes(label) ? labels.filter((name) => name !== label) : [...labels, label];
}

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a test uses from this pattern; this one uses none.
test('imports a PubMed file, annotates at the keyboard, survives a crash, exports, and train/ consumes the export', async ({}, testInfo) => {
  test.setTimeout(420_000);
  const profile = testInfo.outputPath('profile');
  let context = await openProfile(profile);
  let page = context.pages()[0] ?? (await context.newPage());
  await openAnnotate(page);

  await importFile(page, MEDLINE_FILE);
  await expect(page.getByTestId('import-imported')).toHaveText('4');
  await expect(page.getByTestId('import-bad')).toHaveText('0');
  await closeDialog(page);
  await waitForPredictions(page);

  await page.getByTestId('annotator').fill('Ada');
  // Start at the top of the queue (most uncertain first) and work down it.
  await page.locator('.aw-row[data-index="0"]').click();
  const labels = await allLabels(page);
  expect(labels.length).toBeGreaterThanOrEqual(2);
  const [firstLabel, secondLabel] = labels as [string, string];

  // Document 1: toggle label 1 (key "1"), write a note, accept with Enter -> corrected.
  const doc1 = await currentKey(page);
  const predicted1 = await pressedLabels(page);
  await page.getByLabel('Note').fill('checked twice');
  await page.getByLabel('Note').blur();
  await page.keyboard.press('1');
  await expect(page.locator(`.aw-toggle[data-label="${firstLabel}"]`)).toHaveAttribute(
    'aria-pressed',
    String(!predicted1.includes(firstLabel)),
  );
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-doc-key]')).not.toHaveAttribute('data-doc-key', doc1);

  // Document 2: accept the prediction as it is.
  const doc2 = await currentKey(page);
  const predicted2 = await pressedLabels(page);
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-doc-key]')).not.toHaveAttribute('data-doc-key', doc2);

  // Document 3: skip.
  const doc3 = await currentKey(page);
  await page.keyboard.press('s');
  await expect(page.locator('[data-doc-key]')).not.toHaveAttribute('data-doc-key', doc3);

  // Document 4: toggle label 2, undo, redo, undo; then undo again crosses back to document 3 (un-skip), redo re-skips.
  const doc4 = await currentKey(page);
  const predicted4 = await pressedLabels(page);
  const secondToggle = page.locator(`.aw-toggle[data-label="${secondLabel}"]`);
  await page.keyboard.press('2');
  await expect(secondToggle).toHaveAttribute('aria-pressed', String(!predicted4.includes(secondLabel)));
  await page.keyboard.press('Control+z');
  await expect(secondToggle).toHaveAttribute('aria-pressed', String(predicted4.includes(secondLabel)));
  await page.keyboard.press('Control+Shift+z');
  await expect(secondToggle).toHaveAttribute('aria-pressed', String(!predicted4.includes(secondLabel)));
  await page.keyboard.press('Control+z');
  await expect(secondToggle).toHaveAttribute('aria-pressed', String(predicted4.includes(secondLabel)));
  await page.keyboard.press('Control+z');
  await expect(page.locator('[data-doc-key]')).toHaveAttribute('data-doc-key', doc3);
  await expect(page.getByTestId('doc-status')).toHaveText('predicted');
  await page.keyboard.press('Control+Shift+z');
  await expect(page.getByTestId('doc-status')).toHaveText('skipped');
  await expect(page.getByTestId('batch-progress')).toContainText('3 of 4 reviewed');

  // Kill the page: crash the renderer, then close the browser without any unload handling.
  const cdp = await context.newCDPSession(page);
  const crashed = page.waitForEvent('crash');
  // The crash takes the CDP session down with it, so this call never answers: don't wait for it.
  void cdp.send('Page.crash').catch(() => {});
  await crashed;
  await context.close();

  context = await openProfile(profile);
  page = context.pages()[0] ?? (await context.newPage());
  await openAnnotate(page);
  await expect(page.getByTestId('batch-progress')).toContainText('3 of 4 reviewed');
  await expect(page.getByTestId('batch-progress')).toContainText('1 accepted · 1 corrected · 1 skipped · 1 predicted');
  await expect(page.getByTestId('annotator')).toHaveValue('Ada');

  const everything = await exportJsonl(page, /Everything/);
  const byKey = new Map(everything.records.map((record) => [record.pmid ? `pmid:${record.pmid}` : `id:${record.id}`, record]));
  expect(everything.records).toHaveLength(4);
  const record1 = byKey.get(doc1);
  expect(record1?.status).toBe('corrected');
  expect(new Set(record1?.labels)).toEqual(new Set(symmetricToggle(predicted1, firstLabel)));
  expect(record1?.note).toBe('checked twice');
  expect(record1?.annotator).toBe('Ada');
  expect(new Set(record1?.model_labels)).toEqual(new Set(predicted1));
  expect(Object.keys(record1?.scores ?? {}).sort()).toEqual([...labels].sort());
  expect(record1?.model?.id).toBeTruthy();
  const record2 = byKey.get(doc2);
  expect(record2?.status).toBe('accepted');
  expect(new Set(record2?.labels)).toEqual(new Set(predicted2));
  expect(byKey.get(doc3)?.status).toBe('skipped');
  expect(byKey.get(doc4)?.status).toBe('predicted');
  expect(new Set(byKey.get(doc4)?.labels)).toEqual(new Set(predicted4));
  for (const record of everything.records) {
    expect(record.pmid).toMatch(/^\d+$/);
    expect(record.text.length).toBeGreaterThan(50);
  }

  // Reviewed only (accepted + corrected): the training file.
  const reviewed = await exportJsonl(page, /All reviewed/);
  expect(reviewed.records.map((record) => record.status).sort()).toEqual(['accepted', 'corrected']);

  // The round trip: train/ reads the exported file (labels.json from the model that predicted).
  const modelId = record1?.model?.id as string;
  const manifest = (await (await page.request.get(`/models/${modelId}/model.json`)).json()) as {
    labels: { name: string; description: string }[];
  };
  const roundTrip = testInfo.outputPath('round-trip');
  mkdirSync(roundTrip, { recursive: true });
  const dataFile = join(roundTrip, 'annotations.jsonl');
  writeFileSync(dataFile, reviewed.text);
  const labelsFile = join(roundTrip, 'labels.json');
  writeFileSync(labelsFile, JSON.stringify({ labels: manifest.labels.map(({ name, description }) => ({ name, description })) }));
  const output = execFileSync(
    resolve('.venv/bin/python'),
    ['-m', 'train.train', '--data', dataFile, '--labels', labelsFile, '--smoke', '--out', join(roundTrip, 'run'), '--threads', '1'],
    { encoding: 'utf8', timeout: 170_000, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // train/ prints its report as one JSON line at the end; a data error would have exited non-zero.
  const report = JSON.parse(output.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
  expect(typeof report).toBe('object');
  await context.close();
});

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a test uses from this pattern; this one uses none.
test('two tabs on one session: one writes, the other is read-only until it takes over', async ({}, testInfo) => {
  const context = await openProfile(testInfo.outputPath('profile'));
  const first = context.pages()[0] ?? (await context.newPage());
  await openAnnotate(first);
  await importPasted(
    first,
    'First abstract about tumour growth.\n\nSecond abstract about apoptosis.\n\nThird abstract about angiogenesis.',
  );
  await expect(first.getByTestId('import-imported')).toHaveText('3');
  await closeDialog(first);

  const second = await context.newPage();
  await openAnnotate(second);
  await expect(second.getByTestId('read-only-banner')).toBeVisible();
  await expect(first.getByTestId('read-only-banner')).toHaveCount(0);

  // The read-only tab's keys change nothing.
  await focusView(second);
  await second.keyboard.press('Enter');
  await expect(second.getByTestId('batch-progress')).toContainText('0 of 3 reviewed');

  // The active tab's work shows up in the other tab.
  await focusView(first);
  await first.keyboard.press('Enter');
  await expect(first.getByTestId('batch-progress')).toContainText('1 of 3 reviewed');
  await expect(second.getByTestId('batch-progress')).toContainText('1 of 3 reviewed');

  // Take over: the first tab turns read-only and can no longer write.
  await second.getByTestId('take-over').click();
  await expect(second.getByTestId('read-only-banner')).toHaveCount(0);
  await expect(first.getByTestId('read-only-banner')).toBeVisible();
  await focusView(first);
  await first.keyboard.press('s');
  // Skip a document that is not reviewed yet.
  await second.locator('.aw-row').filter({ hasNotText: 'accepted' }).first().click();
  await focusView(second);
  await second.keyboard.press('s');
  await expect(second.getByTestId('batch-progress')).toContainText('2 of 3 reviewed');
  await expect(second.getByTestId('batch-progress')).toContainText('1 skipped');
  await expect(first.getByTestId('batch-progress')).toContainText('2 of 3 reviewed');
  await context.close();
});

test('HTML and script in imported text is shown as text: nothing runs, no element is injected', async ({ page }) => {
  const payload = '<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>';
  await openAnnotate(page);
  const record = { id: 'xss-1', title: `Title ${payload}`, text: `Abstract ${payload} about cell death and tumour growth.` };
  await importPasted(page, JSON.stringify(record));
  await expect(page.getByTestId('import-imported')).toHaveText('1');
  await closeDialog(page);
  await expect(page.getByTestId('doc-text')).toContainText(payload);
  await expect(page.getByTestId('doc-title')).toContainText(payload);
  // Also once the heatmap has split the text into words.
  await expect(page.locator('.aw-heat').first()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('doc-text')).toContainText(payload);
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  await expect(page.locator('[data-testid="annotate-view"] img, [data-testid="annotate-view"] script')).toHaveCount(0);
});

test('bad input: binary files are refused, bad records are reported with their position, the rest imported', async ({ page }) => {
  await openAnnotate(page);
  await importFile(page, {
    name: 'scan.txt',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff, 0]),
  });
  await expect(page.getByTestId('import-report')).toContainText(/binary|not a text file/);
  await page.getByRole('button', { name: 'Done', exact: true }).click();

  const lines = [
    '{"id": "a", "text": "A good abstract."}',
    '{"id": "b", "text": ',
    '{"id": "c", "text": "Another good one."}',
    '{"id": "a", "text": "Same id."}',
  ];
  await importFile(page, { name: 'mixed.jsonl', mimeType: 'application/json', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByTestId('import-imported')).toHaveText('2');
  await expect(page.getByTestId('import-bad')).toHaveText('1');
  await expect(page.getByTestId('import-duplicates')).toHaveText('1');
  await expect(page.getByTestId('import-issues')).toContainText('mixed.jsonl:2');
});

test('an export imports again and continues the session (status and decisions restored)', async ({ browser }) => {
  const exported = [
    {
      id: 'r1',
      title: 'One',
      text: 'First text.',
      labels: ['Alpha'],
      status: 'corrected',
      annotator: 'Ada',
      note: 'fixed',
      model_labels: [],
    },
    { id: 'r2', title: 'Two', text: 'Second text.', labels: [], status: 'skipped' },
    {
      id: 'r3',
      title: 'Three',
      text: 'Third text.',
      labels: ['Beta'],
      status: 'accepted',
      scores: { Alpha: 0.1, Beta: 0.9 },
      model_labels: ['Beta'],
    },
  ];
  const context = await browser.newContext();
  const page = await context.newPage();
  await openAnnotate(page);
  await importFile(page, {
    name: 'session.jsonl',
    mimeType: 'application/json',
    buffer: Buffer.from(exported.map((record) => JSON.stringify(record)).join('\n')),
  });
  await expect(page.getByTestId('import-imported')).toHaveText('3');
  await closeDialog(page);
  await expect(page.getByTestId('batch-progress')).toContainText('3 of 3 reviewed');
  await expect(page.getByTestId('batch-progress')).toContainText('1 accepted · 1 corrected · 1 skipped');
  const again = await exportJsonl(page, /Everything/);
  const r1 = again.records.find((record) => record.id === 'r1');
  expect(r1).toMatchObject({ status: 'corrected', labels: ['Alpha'], annotator: 'Ada', note: 'fixed' });
  expect(again.records.find((record) => record.id === 'r3')).toMatchObject({
    status: 'accepted',
    labels: ['Beta'],
    scores: { Alpha: 0.1, Beta: 0.9 },
  });
  await context.close();
});

test('PMIDs are fetched from E-utilities (answered from a recorded PubMed XML file); offline shows a message', async ({
  page,
  context,
}) => {
  const recorded = readFileSync(resolve('tests/fixtures/pubmed/pubmed4.xml'), 'utf8');
  const requests: string[] = [];
  await page.route('https://eutils.ncbi.nlm.nih.gov/**', (route) => {
    requests.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'text/xml', headers: { 'Access-Control-Allow-Origin': '*' }, body: recorded });
  });
  await openAnnotate(page);
  await openImportDialog(page);
  await page.getByLabel('PMIDs from PubMed').check();
  const pmids = [...recorded.matchAll(/<PMID Version="1">(\d+)<\/PMID>/g)].map((match) => match[1]).slice(0, 1);
  await page.getByLabel('PMIDs', { exact: true }).fill(pmids.join('\n'));
  await context.setOffline(true);
  await expect(page.getByTestId('offline-message')).toBeVisible();
  await expect(page.getByTestId('import-start')).toBeDisabled();
  await context.setOffline(false);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-report')).toBeVisible();
  expect(requests.length).toBe(1);
  expect(requests[0]).toContain('efetch.fcgi');
  expect(Number(await page.getByTestId('import-imported').textContent())).toBeGreaterThan(0);
});

test('labels beyond nine are picked by typing a few letters; "?" lists every shortcut', async ({ page }) => {
  const names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot', 'Golf', 'Hotel', 'India', 'Juliett', 'Kilo', 'Lima'];
  await openAnnotate(page);
  const records = names.map((name, i) => JSON.stringify({ id: `n${i}`, text: `Text ${i}.`, labels: [name] }));
  await importPasted(page, records.join('\n'));
  await expect(page.getByTestId('import-imported')).toHaveText(String(names.length));
  await closeDialog(page);
  await expect(page.locator('.aw-toggle[data-label="Lima"]')).toBeVisible();

  const kilo = page.locator('.aw-toggle[data-label="Kilo"]');
  const before = await kilo.getAttribute('aria-pressed');
  await focusView(page);
  await page.keyboard.press('/');
  await page.keyboard.type('kil');
  await page.keyboard.press('Enter');
  await expect(kilo).toHaveAttribute('aria-pressed', before === 'true' ? 'false' : 'true');
  // The finder closed, and the document did not move on: Enter went to the finder, not to "accept".
  await expect(page.getByLabel('Find a label by name')).toHaveCount(0);
  await expect(page.getByTestId('doc-status')).not.toHaveText('accepted');

  await page.keyboard.press('?');
  const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(overlay).toContainText('Undo (across documents)');
  await expect(overlay).toContainText('Find a label by typing');
  await page.keyboard.press('Escape');
  await expect(overlay).toHaveCount(0);
});

test('the toolbar stays put while the session and the model finish loading (no click lands on a moved button)', async ({ page }) => {
  await page.goto(ANNOTATE_URL);
  const importButton = page.getByTestId('open-import');
  await expect(importButton).toBeVisible();
  const first = await importButton.boundingBox();
  // Banners (persistent storage refused, read-only while the tab waits for its lock) and the model's load status
  // arrive after the view: sample the button until the model is loaded and a little longer.
  const positions = [first];
  const until = Date.now() + 4_000;
  while (Date.now() < until || !(await page.getByTestId('model-ready').isVisible())) {
    positions.push(await importButton.boundingBox());
    await page.waitForTimeout(50);
  }
  expect(new Set(positions.map((box) => `${box?.x},${box?.y}`))).toEqual(new Set([`${first?.x},${first?.y}`]));
});
