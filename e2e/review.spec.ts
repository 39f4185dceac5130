/**
 * Compare reviewers in the real browser with real IndexedDB: two reviewers' exports in, agreement
 * shown, two conflicts resolved at the keyboard with each reviewer's decision beside the labels,
 * a reload, and an export that carries both decisions and the resolution.
 */
import { readFileSync } from 'node:fs';
import { type BrowserContext, chromium, expect, type Page, test } from '@playwright/test';

interface ExportedRecord {
  id: string;
  labels: string[];
  status: string;
  annotator?: string;
  note?: string;
  review?: { decisions: { annotator: string; labels: string[] }[] };
}

const DOCUMENTS = [
  { id: 'r1', title: 'Angiogenesis <b>in</b> renal carcinoma', text: 'VEGF drives sprouting.' },
  { id: 'r2', title: 'Apoptosis in lymphoma', text: 'BCL-2 blocks apoptosis.' },
  { id: 'r3', title: 'Telomerase in glioma', text: 'TERT promoter mutations.' },
  { id: 'r4', title: 'Inflammation in colitis', text: 'IL-6 sustains STAT3.' },
];

/** A reviewer's JSONL export: r1 and r2 are where ana and ben disagree. */
function reviewerExport(annotator: string, decisions: string[][]): { name: string; mimeType: string; buffer: Buffer } {
  const lines = DOCUMENTS.map((doc, i) => JSON.stringify({ ...doc, labels: decisions[i], status: 'corrected', annotator }));
  return { name: `${annotator}.jsonl`, mimeType: 'application/json', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

const ANA = reviewerExport('ana', [['Alpha', 'Beta'], ['Beta'], ['Alpha'], []]);
const BEN = reviewerExport('ben', [['Alpha'], [], ['Alpha'], []]);

async function openProfile(profile: string): Promise<BrowserContext> {
  const { use } = test.info().project;
  return chromium.launchPersistentContext(profile, { ...use.launchOptions, baseURL: use.baseURL, acceptDownloads: true });
}

async function pressedLabels(page: Page): Promise<string[]> {
  return page
    .locator('.aw-toggle[aria-pressed="true"]')
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-label') ?? ''));
}

async function currentId(page: Page): Promise<string> {
  const key = await page.locator('[data-doc-key]').getAttribute('data-doc-key');
  return (key ?? '').replace(/^id:/, '');
}

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a test uses from this pattern; this one uses none.
test('compares two reviewers, resolves two conflicts at the keyboard, reloads, exports the resolution', async ({}, testInfo) => {
  test.setTimeout(300_000);
  const context = await openProfile(testInfo.outputPath('profile'));
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/?tab=review&backend=wasm');
  await page.getByTestId('review-files').setInputFiles([ANA, BEN]);
  await expect(page.getByTestId('review-documents')).toHaveText('4');
  await expect(page.getByTestId('review-conflicts')).toHaveText('2');
  // Beta: both 0, only ana 2, only ben 0, neither 2 → agreement 50%; Alpha: full agreement, kappa 1.
  const beta = page.locator('tr[data-label="Beta"]');
  await expect(beta).toContainText('50.0%');
  await expect(page.locator('tr[data-label="Alpha"] [data-testid="kappa"]')).toHaveText(/^1\.000/);
  await expect(page.getByTestId('conflict-queue').locator(':scope > li')).toHaveCount(2);
  // Record text is shown as text, never as markup.
  await expect(page.locator('.rv-view b')).toHaveCount(0);

  await page.getByTestId('resolve-conflicts').click();
  await expect(page.getByTestId('resolve-status')).toContainText('2 conflict(s) added');
  await page.getByRole('button', { name: 'Annotate', exact: true }).click();
  await page.getByTestId('annotator').fill('Cleo');
  await expect(page.locator('.aw-row')).toHaveCount(2);
  await page.locator('.aw-row[data-index="0"]').click();

  // The decision starts from what both reviewers gave; each reviewer's decision shows beside the labels.
  const resolutions: Record<string, string[]> = {};
  for (let n = 0; n < 2; n++) {
    const id = await currentId(page);
    const marks = page.locator('tr', { has: page.locator('.aw-toggle[data-label="Beta"]') }).getByTestId('reviewer-marks');
    await expect(marks).toHaveText('ana ✓ben ✗');
    const start = id === 'r1' ? ['Alpha'] : [];
    expect(await pressedLabels(page)).toEqual(start);
    await page.getByTestId('batch-progress').click();
    // Beta through the label finder ("/", a few letters, Enter): a loaded model's labels come first and can push
    // Beta past the digit keys. r1 takes ana's side; r2 is toggled, then undone, ending on ben's side.
    await page.keyboard.press('/');
    await page.getByLabel('Find a label by name').pressSequentially('Beta');
    await page.keyboard.press('Enter');
    await page.getByTestId('batch-progress').click();
    if (id === 'r2') {
      await expect.poll(() => pressedLabels(page)).toEqual(['Beta']);
      await page.keyboard.press('Control+z');
    }
    resolutions[id] = id === 'r1' ? ['Alpha', 'Beta'] : [];
    await expect.poll(() => pressedLabels(page)).toEqual(resolutions[id]);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('batch-progress')).toContainText(`${n + 1} of 2 reviewed`);
  }
  expect(Object.keys(resolutions).sort()).toEqual(['r1', 'r2']);

  await page.reload();
  await page.getByRole('button', { name: 'Annotate', exact: true }).click();
  await expect(page.getByTestId('batch-progress')).toContainText('2 of 2 reviewed');
  await page.getByTestId('open-export').click();
  await page.getByLabel(/Everything/).check();
  await page.getByLabel(/JSON Lines/).check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  const records = readFileSync(await download.path(), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as ExportedRecord);
  expect(records.map((record) => [record.id, record.labels, record.annotator, record.review?.decisions])).toEqual([
    [
      'r1',
      ['Alpha', 'Beta'],
      'Cleo',
      [
        { annotator: 'ana', labels: ['Alpha', 'Beta'] },
        { annotator: 'ben', labels: ['Alpha'] },
      ],
    ],
    [
      'r2',
      [],
      'Cleo',
      [
        { annotator: 'ana', labels: ['Beta'] },
        { annotator: 'ben', labels: [] },
      ],
    ],
  ]);
  await context.close();
});
