#!/usr/bin/env node
/**
 * The annotation view at 10,000 documents, in headless Chromium (the built app, real IndexedDB):
 *   - import of 10,000 abstracts through the import dialog (time; peak renderer memory; longest main-thread task),
 *   - keypress-to-next-document latency (Enter = accept + save + move; j = move only): p50 / p95 / max,
 *   - export of the 10,000 annotated documents through the export dialog (time to the download), JSONL and CSV,
 *   - Teach (issue 19): Enter's latency while a taught scheme trains after the decisions and rescores the queue in
 *     the background (the learning worker, real features of the real encoder), in a session of 1,486 abstracts.
 *
 *   npm run bench:annotate [-- --keys 300] [--imports 3] [--teach-keys 150] [--no-build]
 *
 * The Teach run needs every distinct abstract's encoder features: `labelwise simulate` computes them once on this
 * machine (the same core code as the page; its disk cache .cache/features keeps them for the next run) and the
 * benchmark stores them in the session's IndexedDB features table, as the page would have after reading each
 * document once, so what is measured is training and rescoring beside the keyboard, not the first encoder pass.
 *
 * The 10,000 abstracts are HoC's train+dev abstracts repeated under new ids, written as a previous export
 * (status "predicted" with scores) so the queue sorts by uncertainty as it does with a model. The scores are
 * synthetic (seeded PRNG): what is measured is the UI, so no model is loaded (the model index request is
 * blocked) and no inference competes for the 2 cores. Writes bench/results/annotate-latency.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { tsImport } from 'tsx/esm/api';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { importThroughDialog, withPeakRendererRss } from './browser-helpers.mjs';
import { summary } from './stats.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '300' },
    imports: { type: 'string', default: '3' },
    'teach-keys': { type: 'string', default: '150' },
    /** Only the import and the Teach run (a quicker check of the Teach figures); the result goes to --out as well. */
    'teach-only': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    dist: { type: 'string', default: 'dist' },
    port: { type: 'string', default: '4174' },
    out: { type: 'string', default: path.join(root, 'bench/results/annotate-latency.json') },
  },
});
const DOCS = 10_000;
/** Pause between keypresses (ms). */
const PAUSE_MS = 100;
const KEYS = Number(values.keys);
const IMPORTS = Number(values.imports);
const TEACH_KEYS = Number(values['teach-keys']);
const TEACH_LABEL = 'Inducing angiogenesis';
const ENCODER_DIR = path.join(root, 'public/models/minilm-encoder');
/** src/store/teach.ts's tag for features of this encoder. */
const ENCODER_TAG = 'minilm-encoder@1.0.0';
const baseURL = `http://127.0.0.1:${values.port}`;
/** The same synthetic scores every run. */
const { seededRandom } = await tsImport('../src/core/random.ts', import.meta.url);
/** simulate's feature cache, read as simulate writes it. */
const { encoderCacheKey, featureCacheFile } = await tsImport('../src/cli/shared.ts', import.meta.url);
function hocSource() {
  return ['data/hoc/train.jsonl', 'data/hoc/dev.jsonl'].flatMap((file) =>
    readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line)),
  );
}

function writeSessionFile(dir, count = DOCS) {
  const source = hocSource();
  const labels = [...new Set(source.flatMap((record) => record.labels))].sort();
  const random = seededRandom(42);
  const lines = [];
  for (let i = 0; i < count; i++) {
    const base = source[i % source.length];
    const scores = Object.fromEntries(labels.map((label) => [label, Math.round(random() * 1e4) / 1e4]));
    const predicted = labels.filter((label) => scores[label] >= 0.5);
    lines.push(
      JSON.stringify({
        id: `${base.id}-copy${Math.floor(i / source.length)}`,
        text: base.text,
        labels: predicted,
        model_labels: predicted,
        status: 'predicted',
        model: { id: 'bench-synthetic', version: '0' },
        scores,
      }),
    );
  }
  const file = path.join(dir, `annotate-bench-${count}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return {
    file,
    bytes: Buffer.byteLength(lines.join('\n')) + 1,
    texts: lines.map((line) => JSON.parse(line)).map(({ id, text }) => ({ key: `id:${id}`, text })),
  };
}

/** src/store/teach.ts's text hash (FNV-1a over UTF-16 code units). */
function textHash(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Every distinct abstract's serialized features, by text, from `labelwise simulate`'s disk cache (filled if needed). */
function encoderFeatures(dir) {
  const source = hocSource();
  const encoderHash = encoderCacheKey(readFileSync(path.join(ENCODER_DIR, 'model.int8.onnx')));
  const cached = (text) => featureCacheFile(path.join(root, '.cache/features'), encoderHash, text);
  const started = performance.now();
  if (!source.every(({ text }) => existsSync(cached(text)))) {
    const data = path.join(dir, 'hoc-train-dev.jsonl');
    writeFileSync(data, `${source.map((record) => JSON.stringify(record)).join('\n')}\n`);
    const simulate = spawnSync(
      'node',
      ['bin/labelwise.mjs', 'simulate', '--data', data, '--scheme', 'data/hoc/labels.json', '--label', TEACH_LABEL, '--threads', '1'],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (simulate.status !== 0) throw new Error('labelwise simulate failed');
  }
  const features = new Map(source.map(({ text }) => [text, readFileSync(cached(text))]));
  return { features, seconds: (performance.now() - started) / 1000 };
}

/** Writes the features rows the page would have written after reading each document once. */
async function seedFeatures(page, texts, features) {
  for (let first = 0; first < texts.length; first += 500) {
    const rows = texts.slice(first, first + 500).map(({ key, text }) => ({
      key,
      encoder: ENCODER_TAG,
      textHash: textHash(text),
      bytes: features.get(text).toString('base64'),
    }));
    await page.evaluate(async (batch) => {
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open('labelwise-annotate');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      await new Promise((resolve, reject) => {
        const transaction = db.transaction('features', 'readwrite');
        const store = transaction.objectStore('features');
        for (const row of batch) store.put({ ...row, bytes: Uint8Array.from(atob(row.bytes), (c) => c.charCodeAt(0)) });
        transaction.oncomplete = resolve;
        transaction.onerror = () => reject(transaction.error);
      });
      db.close();
    }, rows);
  }
}

/** Creates a one-label scheme (screening) through the dialog and waits for its descriptions-only scores on every document. */
async function createTaughtScheme(page) {
  const labels = JSON.parse(readFileSync(path.join(root, 'data/hoc/labels.json'), 'utf8')).labels;
  const label = labels.find((entry) => entry.name === TEACH_LABEL);
  await page.getByTestId('new-scheme').click();
  await page.getByTestId('scheme-name').fill('Angiogenesis screening');
  await page.getByLabel('Label 1 name').fill(label.name);
  await page.getByLabel('Label 1 description').fill(label.description);
  const started = performance.now();
  await page.getByTestId('scheme-create').click();
  await page.getByTestId('teach-descriptions-only').waitFor({ timeout: 600_000 });
  await waitForRescore(page);
  return (performance.now() - started) / 1000;
}

async function waitForRescore(page) {
  await page.waitForFunction(
    () => {
      const model = document.querySelector('[data-testid="teach-model"]');
      return model !== null && !model.textContent.includes('Rescoring') && !model.textContent.includes('Training');
    },
    undefined,
    { timeout: 600_000, polling: 500 },
  );
}

async function teachState(page) {
  const model = page.getByTestId('teach-model');
  return { version: Number(await model.getAttribute('data-version')), decisions: Number(await model.getAttribute('data-decisions')) };
}

/** stats.mjs's summary under this benchmark's keys (its results and the README read p50_ms, and no min). */
function keypressSummary(samples) {
  const { n, median_ms, p95_ms, max_ms } = summary(samples);
  return { n, p50_ms: median_ms, p95_ms, max_ms };
}

async function waitForServer() {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      if ((await fetch(baseURL)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the preview server did not answer at ${baseURL}`);
}

async function openView(browser) {
  const context = await browser.newContext({ baseURL, acceptDownloads: true });
  // No model: nothing but the UI runs (see the header comment).
  await context.route('**/models/index.json', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: '{"models":[]}' }),
  );
  const page = await context.newPage();
  await page.goto('/?tab=annotate');
  await page.getByTestId('annotate-view').waitFor();
  return { context, page };
}

async function importSession(page, file, browserPid) {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  const imported = await importThroughDialog(page, file, browserPid);
  const longest = await page.evaluate(() => Math.max(0, ...window.__longTasks));
  return { ...imported, longestTaskMs: longest };
}

/** Presses a key `count` times; each sample is keydown (event.timeStamp) to the frame after the next document rendered. */
async function keyLatency(page, key, count) {
  await page.evaluate(() => {
    window.__latencies = [];
    window.__shownKey = document.querySelector('[data-doc-key]')?.getAttribute('data-doc-key');
    if (window.__latencyProbe) return;
    window.__latencyProbe = true;
    window.addEventListener(
      'keydown',
      (event) => {
        window.__keyAt = event.timeStamp;
      },
      { capture: true },
    );
    const view = document.querySelector('[data-testid="annotate-view"]');
    new MutationObserver(() => {
      const key = document.querySelector('[data-doc-key]')?.getAttribute('data-doc-key');
      if (key === window.__shownKey) return;
      window.__shownKey = key;
      const keyAt = window.__keyAt;
      requestAnimationFrame(() =>
        setTimeout(() => {
          window.__latencies.push(performance.now() - keyAt);
          window.__onSample?.();
        }, 0),
      );
    }).observe(view, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-doc-key'] });
  });
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  for (let i = 0; i < count; i++) {
    // Wait for the sample without polling the page (polling would load the main thread being measured).
    await page.evaluate(() => {
      window.__sampled = new Promise((resolve) => {
        window.__onSample = resolve;
      });
    });
    await page.keyboard.press(key);
    await page.evaluate(() => window.__sampled);
    // An annotator reads before the next key: leave the page a moment, as a person would (and as deferred work needs).
    await page.waitForTimeout(PAUSE_MS);
  }
  return page.evaluate(() => window.__latencies);
}

async function timeExport(page, scope, format) {
  await page.getByTestId('open-export').click();
  await page.getByLabel(scope).check();
  await page.getByLabel(format).check();
  const started = performance.now();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  const seconds = (performance.now() - started) / 1000;
  const saved = path.join(os.tmpdir(), `annotate-bench-export-${process.pid}.${format.source.includes('CSV') ? 'csv' : 'jsonl'}`);
  await download.saveAs(saved);
  const text = readFileSync(saved, 'utf8');
  rmSync(saved);
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  return { seconds, bytes: Buffer.byteLength(text), lines: text.trimEnd().split('\n').length };
}

async function main() {
  if (!values['no-build']) {
    const build = spawnSync('npx', ['vite', 'build', '--outDir', values.dist], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('vite build failed');
  }
  const server = spawn('npx', ['vite', 'preview', '--outDir', values.dist, '--port', values.port, '--strictPort', '--host', '127.0.0.1'], {
    cwd: root,
    stdio: 'ignore',
    detached: true,
  });
  // A browser server, so its process id is known (renderer memory is read from /proc).
  const browserServer = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const browserPid = browserServer.process().pid;
  try {
    await waitForServer();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'annotate-bench-'));
    const session = writeSessionFile(dir);

    const imports = [];
    let kept;
    for (let run = 0; run < IMPORTS; run++) {
      const opened = await openView(browser);
      imports.push(await importSession(opened.page, session.file, browserPid));
      if (run === IMPORTS - 1) kept = opened;
      else await opened.context.close();
    }
    const { page, context } = kept;
    const queueCount = await page.getByTestId('queue-count').textContent();

    const teachOnly = values['teach-only'];
    const move = teachOnly ? [] : await keyLatency(page, 'j', KEYS);
    const accept = teachOnly ? [] : await keyLatency(page, 'Enter', KEYS);
    const reviewed = await page.getByTestId('batch-progress').textContent();
    const jsonl = teachOnly ? { seconds: 0, bytes: 0, lines: 0 } : await timeExport(page, /Everything/, /JSON Lines/);
    const csv = teachOnly ? { seconds: 0, bytes: 0, lines: 0 } : await timeExport(page, /Everything/, /CSV/);

    await context.close();

    // Teach: the same keys while the scheme's model trains after them and rescores the queue, in a session of HoC's
    // 1,486 distinct abstracts (a screening of that size; at 10,000 the learner's build took over a minute in Node).
    const teachSession = writeSessionFile(dir, hocSource().length);
    const teachView = await openView(browser);
    await importSession(teachView.page, teachSession.file, browserPid);
    const encoder = encoderFeatures(dir);
    await seedFeatures(teachView.page, teachSession.texts, encoder.features);
    // The same keys in the same session before the scheme exists: the side-by-side baseline.
    const untaughtAccept = await keyLatency(teachView.page, 'Enter', TEACH_KEYS);
    const teachRun = await withPeakRendererRss(browserPid, async () => {
      const schemeSeconds = await createTaughtScheme(teachView.page);
      const before = await teachState(teachView.page);
      const latencies = await keyLatency(teachView.page, 'Enter', TEACH_KEYS);
      const afterKeys = await teachState(teachView.page);
      await waitForRescore(teachView.page);
      return { schemeSeconds, before, latencies, afterKeys, after: await teachState(teachView.page) };
    });
    await teachView.context.close();
    const { schemeSeconds, before: teachBefore, latencies: taughtAccept, afterKeys: teachAfterKeys, after: teachAfter } = teachRun.result;
    const featureBytes = [...encoder.features.values()].map((bytes) => bytes.byteLength);

    const acceptSummary = keypressSummary(accept);
    const result = {
      benchmark: 'annotate-latency',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30) },
      browser: `chromium ${browser.version()} (headless)`,
      documents: DOCS,
      queue: queueCount?.trim(),
      setup:
        'HoC train+dev abstracts repeated to 10,000 under new ids, imported as a previous export with synthetic (seeded) scores; no model loaded; sort = most uncertain first, no filter',
      import: {
        file_mb: Math.round((session.bytes / 1e6) * 10) / 10,
        runs: imports.map((run) => ({
          seconds: Math.round(run.seconds * 100) / 100,
          imported: run.imported,
          renderer_rss_before_mib: Math.round(run.rssBeforeMiB),
          renderer_rss_peak_mib: Math.round(run.rssPeakMiB),
          longest_main_thread_task_ms: Math.round(run.longestTaskMs),
        })),
        median_seconds:
          Math.round([...imports.map((run) => run.seconds)].sort((a, b) => a - b)[Math.floor(imports.length / 2)] * 100) / 100,
      },
      keypress_to_next_document: {
        target_p95_ms: 50,
        pause_between_keys_ms: PAUSE_MS,
        measured: 'keydown event timestamp -> the frame after the next document is in the DOM (rAF + task)',
        enter_accept_save_next: acceptSummary,
        j_next: keypressSummary(move),
        meets_target: acceptSummary.p95_ms !== null && acceptSummary.p95_ms <= 50,
        after: reviewed?.trim(),
      },
      keypress_while_teaching: {
        target_p95_ms: 50,
        documents: teachSession.texts.length,
        setup: `a session of HoC train+dev's ${teachSession.texts.length} distinct abstracts; a one-label scheme ("${TEACH_LABEL}", HoC's description) created in the page; each Enter is a decision that asks for a training; trainings that come faster are trained together and each one rescores the undecided documents`,
        enter_accept_save_next: keypressSummary(taughtAccept),
        enter_same_session_before_the_scheme: keypressSummary(untaughtAccept),
        p95_ratio_teaching_to_before:
          Math.round((keypressSummary(taughtAccept).p95_ms / keypressSummary(untaughtAccept).p95_ms) * 100) / 100,
        meets_target: keypressSummary(taughtAccept).p95_ms <= 50,
        trainings_during_keys: teachAfterKeys.version - teachBefore.version,
        model_after: teachAfter,
        scheme_to_descriptions_only_scores_s: Math.round(schemeSeconds * 10) / 10,
        renderer_rss_peak_mib: Math.round(teachRun.rssPeakMiB),
        features_bytes_per_document: {
          mean: Math.round(featureBytes.reduce((sum, bytes) => sum + bytes, 0) / featureBytes.length),
          max: Math.max(...featureBytes),
          distinct_texts: featureBytes.length,
        },
        features_from: `labelwise simulate, ${Math.round(encoder.seconds)} s (0 when its disk cache had them)`,
      },
      export_10k: {
        jsonl: { seconds: Math.round(jsonl.seconds * 100) / 100, mb: Math.round((jsonl.bytes / 1e6) * 10) / 10, records: jsonl.lines },
        csv: { seconds: Math.round(csv.seconds * 100) / 100, mb: Math.round((csv.bytes / 1e6) * 10) / 10 },
      },
    };
    writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await browser.close();
    await browserServer.close();
    process.kill(-server.pid, 'SIGTERM');
  }
}

await main();
