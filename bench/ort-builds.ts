/**
 * Which onnxruntime-web build should run the WASM provider: the same int8 graph and the same HoC dev windows on
 * each of the package's runtimes, in one headless Chromium, side by side (rounds alternate the order), on two
 * threads. The app's worker loads the fastest for WASM (src/worker/inference.worker.ts).
 *
 *   npm run bench:ort-builds   [-- --docs 60 --rounds 2 --model hoc-minilm-lame]
 *
 * Writes bench/results/ort-builds.json: per build, the median and p95 time per document (all its windows), the
 * ratio of medians to the plain build's, the load time (import, fetch and compile the runtime, create the session;
 * nothing cached) and the largest logit difference from the plain build.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { loadModelFolder, planWindows } from '../src/core';
import { median as medianOf, quantile } from './stats.mjs';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'hoc-minilm-lame' },
    data: { type: 'string', default: 'data/hoc/dev.jsonl' },
    docs: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '2' },
    out: { type: 'string', default: 'bench/results/ort-builds.json' },
  },
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ortDist = path.join(root, 'node_modules/onnxruntime-web/dist');
const folder = path.join(root, 'public/models', args.model);

/** The runtimes onnxruntime-web 1.30 ships, by the module that loads each. */
const builds = {
  plain: { module: 'ort.wasm.min.mjs', runtime: 'ort-wasm-simd-threaded.wasm', providers: 'WASM' },
  jsep: { module: 'ort.min.mjs', runtime: 'ort-wasm-simd-threaded.jsep.wasm', providers: 'WASM, WebGPU (JSEP)' },
  jspi: { module: 'ort.jspi.min.mjs', runtime: 'ort-wasm-simd-threaded.jspi.wasm', providers: 'WASM, WebGPU (JSPI, no Firefox/Safari)' },
} as const;
type Build = keyof typeof builds;

const model = await loadModelFolder((name) => readFile(path.join(folder, name)), { precision: 'int8' });
const { manifest, tokenizer } = model;
const texts = (await readFile(path.join(root, args.data), 'utf8'))
  .split('\n')
  .filter((line) => line.trim())
  .slice(0, Number(args.docs))
  .map((line) => (JSON.parse(line) as { text: string }).text);
/** Per document, its windows as the classifier feeds them: [CLS] ... [SEP] token ids. */
const documents = texts.map((text) => {
  const { ids } = tokenizer.encode(text);
  return planWindows(ids.length, manifest.window).map(({ start, end }) => [tokenizer.clsId, ...ids.slice(start, end), tokenizer.sepId]);
});

const page = `<!doctype html><script type="module">
window.runAll = async (module, documents) => {
  const loading = performance.now();
  const ort = await import('/ort/' + module);
  ort.env.wasm.wasmPaths = location.origin + '/ort/';
  ort.env.wasm.numThreads = 2;
  const graph = new Uint8Array(await (await fetch('/graph.onnx')).arrayBuffer());
  const session = await ort.InferenceSession.create(graph, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const loadMs = performance.now() - loading;
  const run = (row) => {
    const dims = [1, row.length];
    return session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(row, BigInt), dims),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(row.length).fill(1n), dims),
    });
  };
  await run(documents[0][0]); // first run allocates; not timed
  const times = [], logits = [];
  for (const windows of documents) {
    const started = performance.now();
    for (const row of windows) logits.push(...(await run(row)).logits.data);
    times.push(performance.now() - started);
  }
  return { times, logits, loadMs, crossOriginIsolated, threads: ort.env.wasm.numThreads };
};
</script>`;

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const server = createServer(async (request, response) => {
  const url = request.url?.split('?')[0] ?? '/';
  const file =
    url === '/graph.onnx'
      ? path.join(folder, manifest.files.int8 ?? 'model.int8.onnx')
      : url.startsWith('/ort/')
        ? path.join(ortDist, path.basename(url))
        : undefined;
  try {
    const body = file ? await readFile(file) : page;
    const type = url.endsWith('.mjs')
      ? 'text/javascript'
      : url.endsWith('.wasm')
        ? 'application/wasm'
        : file
          ? 'application/octet-stream'
          : 'text/html';
    response.writeHead(200, { 'Content-Type': type, ...isolation }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A statistic of millisecond values: the nearest-rank quantile q. */
const statistic = (values: number[], q: number) =>
  quantile(
    [...values].sort((a, b) => a - b),
    q,
  ) as number;
/** stats.mjs's median (the mean of the two middle runs on an even count), never null on these non-empty runs. */
const median = (values: number[]) => medianOf(values) as number;
const round1 = (value: number) => Math.round(value * 10) / 10;

const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
const names = Object.keys(builds) as Build[];
type PageRun = { times: number[]; logits: number[]; loadMs: number; crossOriginIsolated: boolean; threads: number };
/** Per build, one page run per round. */
const runs = Object.fromEntries(names.map((build) => [build, [] as PageRun[]])) as Record<Build, PageRun[]>;
for (let round = 0; round < Number(args.rounds); round++) {
  for (const build of round % 2 === 0 ? names : [...names].reverse()) {
    const tab = await browser.newPage();
    await tab.goto(origin);
    const result = await tab.evaluate(
      ([module, docs]) => (window as unknown as { runAll: (m: string, d: number[][][]) => Promise<PageRun> }).runAll(module, docs),
      [builds[build].module, documents] as const,
    );
    if (!result.crossOriginIsolated || result.threads !== 2) throw new Error(`${build}: page not cross-origin isolated on 2 threads`);
    runs[build].push(result);
    await tab.close();
    console.error(`round ${round + 1} ${build}: median ${median(result.times).toFixed(1)} ms`);
  }
}
await browser.close();
server.close();

const plainMedian = median(runs.plain.flatMap((run) => run.times));
const plainLogits = runs.plain[0]?.logits ?? [];
const results = Object.fromEntries(
  names.map((build) => {
    const all = runs[build].flatMap((run) => run.times);
    const logits = runs[build][0]?.logits ?? [];
    return [
      build,
      {
        ...builds[build],
        median_ms: round1(median(all)),
        p95_ms: round1(statistic(all, 0.95)),
        median_ms_per_round: runs[build].map((run) => round1(median(run.times))),
        median_ratio_to_plain: Number((median(all) / plainMedian).toFixed(3)),
        load_ms_per_round: runs[build].map((run) => round1(run.loadMs)),
        max_abs_logit_diff_vs_plain: Math.max(...logits.map((value, i) => Math.abs(value - (plainLogits[i] ?? Number.NaN)))),
      },
    ];
  }),
);
const report = {
  benchmark: 'ort-builds',
  command: 'npm run bench:ort-builds',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model.trim(), memory_gb: Math.round(os.totalmem() / 2 ** 30) },
  browser: `Debian chromium, headless (${chromiumPath})`,
  onnxruntime_web: JSON.parse(await readFile(path.join(root, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version,
  model: { id: manifest.id, version: manifest.version, graph: manifest.files.int8 },
  data: { file: args.data, documents: documents.length, windows: documents.flat().length },
  threads: 2,
  rounds: Number(args.rounds),
  builds: results,
};
await writeFile(args.out, `${JSON.stringify(report, null, 1)}\n`);
console.log(JSON.stringify(results, null, 1));
