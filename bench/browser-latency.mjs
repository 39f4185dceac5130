/**
 * Browser latency benchmark: the production build in headless Chromium, driven through the classify page.
 *
 *   npm run bench:browser            (builds first; see package.json)
 *   node bench/browser-latency.mjs [--model hoc-minilm-lame] [--data data/hoc/dev.jsonl] [--webgpu-docs 10]
 *
 * Measures, on WASM with 2 threads and the int8 graph:
 * - per-abstract latency over every document of the data file: the worker's own time per run
 *   (tokenize + windows + post-processing) and the page round trip (click to rendered result);
 * - model load time cold (empty cache) and warm (files from Cache Storage);
 * - peak memory: main-thread JS heap (CDP Performance.getMetrics) and resident memory of all Chromium processes.
 * Then the peer: transformers.js (AutoModel on the same graph, its own onnxruntime-web build, same threads) against
 * the app on every document, alternating which goes first, in one browser (bench/peer/, served by this script only).
 * Then notes the WebGPU (SwiftShader software adapter) figure on a few documents, and checks the int8 graph
 * on WebGPU against WASM. Writes bench/results/browser-latency.json.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { tsImport } from 'tsx/esm/api';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { median, quantile, summary } from './stats.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'hoc-minilm-lame' },
    data: { type: 'string', default: 'data/hoc/dev.jsonl' },
    threads: { type: 'string', default: '2' },
    'webgpu-docs': { type: 'string', default: '10' },
    'peer-precision': { type: 'string', default: 'int8' },
    /** Only the first N documents (a quick check); every document by default. */
    limit: { type: 'string' },
    out: { type: 'string', default: 'bench/results/browser-latency.json' },
  },
});

const docs = readFileSync(args.data, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line))
  .slice(0, args.limit === undefined ? undefined : Number(args.limit));

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startPreview() {
  const port = await freePort();
  const child = spawn('node', ['node_modules/vite/bin/vite.js', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(origin)).ok) return { child, origin };
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error('vite preview did not start');
}

/** Resident memory (kB) of the Chromium processes this script started (its descendants named chrom*), from /proc. */
function chromiumRssKb() {
  const rootPid = process.pid;
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // process ended meanwhile
    }
  }
  const inTree = (pid) => {
    for (let current = pid; current > 1; current = parents.get(current) ?? 0) if (current === rootPid) return true;
    return false;
  };
  let total = 0;
  let largest = 0;
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrom')) continue;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      total += rss;
      largest = Math.max(largest, rss);
    } catch {
      // process ended meanwhile
    }
  }
  return { total, largest };
}

async function openModel(page, origin, params) {
  const query = new URLSearchParams({ model: args.model, ...params });
  const started = Date.now();
  await page.goto(`${origin}/?${query}`);
  const ready = page.getByTestId('model-ready');
  const error = page.getByTestId('model-error');
  await Promise.race([ready.waitFor({ timeout: 300_000 }), error.waitFor({ timeout: 300_000 })]);
  if (await error.isVisible()) throw new Error(await error.textContent());
  return {
    wall_ms: Date.now() - started,
    load_ms: Number(await ready.getAttribute('data-load-ms')),
    downloaded_bytes: Number(await ready.getAttribute('data-downloaded-bytes')),
    cached_bytes: Number(await ready.getAttribute('data-cached-bytes')),
    graph: await ready.getAttribute('data-graph'),
    backend: await page.locator('header').getByTestId('backend-badge').getAttribute('data-backend'),
    threads: Number(await page.locator('header').getByTestId('backend-badge').getAttribute('data-threads')),
  };
}

/** Classifies one text through the page; returns the worker's time, the page round trip and the scores. */
async function classify(page, text) {
  const previous = await page.evaluate(() => document.querySelector('[data-testid="results"]')?.getAttribute('data-run') ?? '');
  await page.getByTestId('text-input').fill(text);
  const started = Date.now();
  await page.getByTestId('classify-button').click();
  await page.waitForFunction(
    (before) => {
      const run = document.querySelector('[data-testid="results"]')?.getAttribute('data-run');
      return run && run !== before;
    },
    previous,
    { timeout: 300_000, polling: 50 },
  );
  const results = page.getByTestId('results');
  const roundTrip = Date.now() - started;
  const scores = await page
    .getByTestId('label-row')
    .evaluateAll((rows) => Object.fromEntries(rows.map((row) => [row.dataset.label, Number(row.dataset.probability)])));
  return {
    total_ms: Number(await results.getAttribute('data-total-ms')),
    windows: Number(await results.getAttribute('data-windows')),
    round_trip_ms: roundTrip,
    scores,
  };
}

async function wasmRun(origin) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  let peakHeap = 0;
  let peakRss = { total: 0, largest: 0 };
  const sample = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    peakHeap = Math.max(peakHeap, metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? 0);
    const rss = chromiumRssKb();
    peakRss = { total: Math.max(peakRss.total, rss.total), largest: Math.max(peakRss.largest, rss.largest) };
  };
  const sampler = setInterval(() => void sample().catch(() => {}), 250);

  const params = { backend: 'wasm', precision: 'int8', threads: args.threads };
  const cold = await openModel(page, origin, params);
  const warm = await openModel(page, origin, params);

  const first = await classify(page, docs[0].text);
  // Latency without the memory sampler: scanning /proc and polling CDP takes CPU from the 2 WASM threads.
  clearInterval(sampler);
  const runs = [];
  for (const doc of docs) runs.push({ id: doc.id, ...(await classify(page, doc.text)) });
  // Memory: the same documents again, sampled after each and every 250 ms.
  const memorySampler = setInterval(() => void sample().catch(() => {}), 250);
  for (const doc of docs) {
    await classify(page, doc.text);
    await sample();
  }
  clearInterval(memorySampler);
  await sample();
  await browser.close();
  return { cold, warm, first, runs, peakHeap, peakRss };
}

async function webGpuRun(origin, wasmScores) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs, '--enable-unsafe-webgpu'] });
  const page = await browser.newPage();
  const result = {};
  try {
    const load = await openModel(page, origin, { backend: 'webgpu' });
    const count = Math.min(Number(args['webgpu-docs']), docs.length);
    const runs = [];
    for (const doc of docs.slice(0, count + 1)) runs.push(await classify(page, doc.text));
    // The first run compiles shaders: reported apart.
    Object.assign(result, {
      load,
      first_run_ms: runs[0].total_ms,
      latency: summary(runs.slice(1).map((run) => run.total_ms)),
    });
  } catch (error) {
    result.error = String(error.message ?? error);
  }
  // Does the int8 graph give the same scores on WebGPU as on WASM?
  try {
    await openModel(page, origin, { backend: 'webgpu', precision: 'int8' });
    const run = await classify(page, docs[0].text);
    const diffs = Object.entries(wasmScores).map(([label, score]) => Math.abs(score - (run.scores[label] ?? Number.NaN)));
    const maxDiff = Math.max(...diffs);
    result.int8_on_webgpu = { max_abs_score_diff_vs_wasm: maxDiff, agrees_within_1e3: maxDiff <= 1e-3 };
  } catch (error) {
    result.int8_on_webgpu = { error: String(error.message ?? error) };
  }
  await browser.close();
  return result;
}

const peerPackage = 'node_modules/@huggingface/transformers';
const contentTypes = {
  '.html': 'text/html',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/**
 * Serves the peer page under /bench-peer/ on the preview's origin: the page and its script from bench/peer/,
 * transformers.js's dist and its bundled onnxruntime-web, and the model folder with the config.json AutoModel needs
 * (written here: the folder ships none). Cross-origin isolated like the app, so both get the same WASM threads.
 */
async function routePeer(context) {
  await context.route(/\/bench-peer\//, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/bench-peer/'.length);
    const [root, ...rest] = path.split('/');
    const tail = rest.join('/');
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    headers['Content-Type'] = contentTypes[extname(path)] ?? 'application/octet-stream';
    if (root === 'models' && tail.endsWith('/config.json')) {
      // AutoModel picks its class from model_type; BertModel feeds the graph's own inputs and returns every output.
      return route.fulfill({ headers, body: JSON.stringify({ model_type: 'bert', architectures: ['BertModel'] }) });
    }
    const files = {
      'transformers.html': 'bench/peer/transformers.html',
      'transformers-page.mjs': 'bench/peer/transformers-page.mjs',
    };
    const file =
      root === 'transformers'
        ? `${peerPackage}/dist/${tail}`
        : root === 'ort'
          ? `${peerPackage}/node_modules/onnxruntime-web/dist/${tail}`
          : root === 'models'
            ? `public/models/${tail}`
            : files[path];
    try {
      return route.fulfill({ headers, body: readFileSync(file) });
    } catch {
      return route.fulfill({ status: 404, headers, body: `not found: ${path}` });
    }
  });
}

/** Every window of each document as [CLS] ids [SEP], from the app's tokenizer and window plan (src/core). */
async function windowIds(precision) {
  const core = await tsImport('../src/core/index.ts', import.meta.url);
  const dir = `public/models/${args.model}`;
  const model = await core.loadModelFolder(async (file) => new Uint8Array(readFileSync(`${dir}/${file}`)), { precision });
  return docs.map((doc) => {
    const { ids } = model.tokenizer.encode(doc.text);
    return core
      .planWindows(ids.length, model.manifest.window)
      .map((window) => [model.tokenizer.clsId, ...ids.slice(window.start, window.end), model.tokenizer.sepId]);
  });
}

/** Labelwise (the app page) and transformers.js (the peer page) on every document, alternating who goes first. */
async function peerRun(origin, precision) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const requests = [];
  try {
    const appPage = await (await browser.newContext()).newPage();
    const peerContext = await browser.newContext();
    await routePeer(peerContext);
    const peerPage = await peerContext.newPage();
    for (const page of [appPage, peerPage]) page.context().on('request', (request) => requests.push(request.url()));
    const app = await openModel(appPage, origin, { backend: 'wasm', precision, threads: args.threads });
    await peerPage.goto(`${origin}/bench-peer/transformers.html`);
    await peerPage.waitForFunction(() => typeof window.loadPeer === 'function', undefined, { timeout: 120_000 });
    const manifest = JSON.parse(readFileSync(`public/models/${args.model}/model.json`, 'utf8'));
    const file = manifest.files[precision];
    const labels = manifest.labels.map((label) => label.name);
    // The app's post-processing on the peer's logits: max over windows and sigmoid, or mean and softmax.
    const peerProbabilities = (logits) => {
      const byLabel = labels.map((_, at) => logits.map((row) => row[at]));
      if (manifest.task === 'multi_label') return byLabel.map((values) => 1 / (1 + Math.exp(-Math.max(...values))));
      const means = byLabel.map((values) => values.reduce((sum, value) => sum + value, 0) / values.length);
      const top = Math.max(...means);
      const total = means.reduce((sum, value) => sum + Math.exp(value - top), 0);
      return means.map((value) => Math.exp(value - top) / total);
    };
    const peerLoad = await peerPage.evaluate(
      ([id, name, threads]) => window.loadPeer(id, name, threads),
      [args.model, file.replace(/\.onnx$/, ''), Number(args.threads)],
    );
    const windows = await windowIds(precision);
    const peer = (index) => peerPage.evaluate((ids) => window.runPeer(ids), windows[index]);
    // Warm-up run each (first-run allocations), not counted.
    await classify(appPage, docs[0].text);
    await peer(0);
    const runs = [];
    for (const [index, doc] of docs.entries()) {
      const order = index % 2 === 0 ? ['app', 'peer'] : ['peer', 'app'];
      const run = {};
      for (const who of order) run[who] = who === 'app' ? await classify(appPage, doc.text) : await peer(index);
      const rechecked = (await appPage.getByTestId('results').getAttribute('data-rechecked')) === 'true';
      const probabilities = peerProbabilities(run.peer.logits);
      const scoreDiff = Math.max(...labels.map((label, at) => Math.abs(run.app.scores[label] - probabilities[at])));
      runs.push({ id: doc.id, rechecked, app_ms: run.app.total_ms, peer_ms: run.peer.total_ms, score_diff: scoreDiff });
    }
    const remote = requests.filter((url) => new URL(url).hostname !== '127.0.0.1' && !url.startsWith('data:') && !url.startsWith('blob:'));
    return { app, peerLoad, graph: file, runs, remote };
  } finally {
    await browser.close();
  }
}

/** The peer on --peer-precision's graph; if transformers.js cannot run it, what failed and both on fp16 instead. */
async function comparePeer(origin) {
  const version = (path) => JSON.parse(readFileSync(`${path}/package.json`, 'utf8')).version;
  const described = {
    transformers_js: version(peerPackage),
    its_onnxruntime_web: version(`${peerPackage}/node_modules/onnxruntime-web`),
    its_wasm_build: 'ort-wasm-simd-threaded.asyncify (its default), from its package, not the CDN',
    tokenization:
      "the same input ids for both: the app's tokenizer and window plan (src/core) tokenize each abstract in Node for transformers.js; the app tokenizes in its worker",
    timing:
      "app: the worker's time per abstract (tokenize, every window, post-processing); transformers.js: its model() calls over every window of the abstract, timed in the page (tokenizing and post-processing lie outside its timing: favours transformers.js)",
    ratio_note: 'transformers.js time / Labelwise time per abstract, median and p95 over the documents the app did not rescore',
    load: 'transformers.js loads the graph with env.allowRemoteModels=false from /bench-peer/models/ (the model folder plus a config.json this script serves)',
  };
  const failures = [];
  for (const precision of [...new Set([args['peer-precision'], 'fp16'])]) {
    try {
      const run = await peerRun(origin, precision);
      // A document the app rescored with the borderline graph ran twice the windows there: left out of the ratio.
      const same = run.runs.filter((entry) => !entry.rechecked);
      const ratios = same.map((entry) => entry.peer_ms / entry.app_ms).sort((a, b) => a - b);
      const round = (value) => Math.round(value * 1000) / 1000;
      return {
        ...described,
        graph: run.graph,
        ...(failures.length > 0 ? { failed: failures } : {}),
        ratio: { n: ratios.length, median: round(median(ratios)), p95: round(quantile(ratios, 0.95)) },
        documents_rechecked_by_the_app_left_out: run.runs.length - same.length,
        max_abs_probability_diff_vs_labelwise: Math.max(...same.map((entry) => entry.score_diff)),
        labelwise: summary(same.map((entry) => entry.app_ms)),
        transformers_js_latency: summary(same.map((entry) => entry.peer_ms)),
        peer_load_ms: Math.round(run.peerLoad.load_ms),
        peer_cross_origin_isolated: run.peerLoad.cross_origin_isolated,
        requests_off_127_0_0_1: run.remote,
        note: 'other engineers shared the 2-core CPU during this run: compare the ratio, not the milliseconds',
      };
    } catch (error) {
      failures.push({
        graph: precision,
        error: String(error.message ?? error)
          .split('\n')
          .slice(0, 6)
          .join('\n'),
      });
      console.error(`transformers.js on ${precision}: ${failures.at(-1).error}`);
    }
  }
  return { ...described, error: 'transformers.js ran neither graph', failed: failures };
}

const { child, origin } = await startPreview();
try {
  console.error(`benchmarking ${args.model} on ${docs.length} documents of ${args.data} (${origin})`);
  const wasm = await wasmRun(origin);
  console.error('WASM done; transformers.js side by side...');
  const peer = await comparePeer(origin);
  console.error(`transformers.js / Labelwise: ${JSON.stringify(peer.ratio ?? peer.failed)}`);
  console.error('WebGPU (software adapter)...');
  const webgpu = await webGpuRun(origin, wasm.runs[0].scores);
  const version = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version;
  const modelJson = JSON.parse(readFileSync(`public/models/${args.model}/model.json`, 'utf8'));
  const results = {
    benchmark: 'browser-latency',
    command: 'npm run bench:browser',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30) },
    browser: `Debian chromium, headless (${chromiumPath})`,
    onnxruntime_web: version,
    model: { id: args.model, version: modelJson.version, graph: wasm.cold.graph, trained: modelJson.trained ?? null },
    data: { file: args.data, documents: docs.length },
    wasm: {
      backend: wasm.cold.backend,
      threads: wasm.cold.threads,
      target_median_ms: 250,
      latency: summary(wasm.runs.map((run) => run.total_ms)),
      page_round_trip: summary(wasm.runs.map((run) => run.round_trip_ms)),
      page_round_trip_note: 'Playwright fill + click to rendered result: includes the test driver, not only the page',
      first_run_ms: wasm.first.total_ms,
      multi_window_documents: wasm.runs.filter((run) => run.windows > 1).length,
    },
    load: {
      cold: wasm.cold,
      from_cache: wasm.warm,
    },
    memory: {
      peak_main_thread_js_heap_mb: Math.round((wasm.peakHeap / 2 ** 20) * 10) / 10,
      peak_chromium_rss_mb: Math.round((wasm.peakRss.total / 1024) * 10) / 10,
      peak_largest_process_rss_mb: Math.round((wasm.peakRss.largest / 1024) * 10) / 10,
      note: 'RSS summed over every Chromium process (browser, GPU, renderer with the page and its inference worker); the largest one is the renderer.',
    },
    transformers_js: peer,
    webgpu_swiftshader: { note: 'software adapter (--enable-unsafe-webgpu): for correctness only, not tuned', ...webgpu },
  };
  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    JSON.stringify(
      {
        wasm: results.wasm.latency,
        load: { cold: wasm.cold.load_ms, cache: wasm.warm.load_ms },
        memory: results.memory,
        webgpu: webgpu.latency ?? webgpu.error,
        transformers_js: peer.ratio ?? peer.error,
      },
      null,
      2,
    ),
  );
} finally {
  child.kill();
}
