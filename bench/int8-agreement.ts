/**
 * How closely the int8 graph follows the fp32 one in the runtimes that run it: onnxruntime-node (the CLI, and the
 * x86 kernels train/agreement.py measures with) and onnxruntime-web's WASM build (the app), through the same core
 * code as both (src/core: tokenizer, windows, max over windows).
 *
 *   npm run bench:agreement   [-- --model public/models/hoc-minilm-lame --data data/hoc/dev.jsonl]
 *
 * Needs the folder's fp32 reference graph (model.onnx), a build output of `python -m train.export`.
 * Writes bench/results/int8-agreement.json: per runtime, the share of documents whose label set is fp32's, the
 * documents that differ, and the mean and largest probability difference; where model.json names a borderline
 * graph, the same label-set figures with the app's recheck of documents scored near a threshold; and the int8
 * figures between the two runtimes.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type Classifier,
  createClassifier,
  createClassifierWithBorderline,
  loadModelFolder,
  ortSessionFactory,
  type Precision,
} from '../src/core';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'public/models/hoc-minilm-lame' },
    data: { type: 'string', default: 'data/hoc/dev.jsonl' },
    out: { type: 'string', default: 'bench/results/int8-agreement.json' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const folder = path.resolve(root, args.model);
if (!existsSync(path.join(folder, 'model.onnx'))) {
  console.error(`${path.join(folder, 'model.onnx')}: missing; the fp32 graph is a build output of python -m train.export`);
  process.exit(2);
}
const read = (name: string) => readFile(path.join(folder, name));

/** A classifier on `runtime`; with `borderline`, documents scored near a threshold are scored again by the graph
 * model.json's borderline names, as the app and the CLI do. */
async function open(runtime: 'node' | 'wasm', precision: Precision, borderline = false): Promise<Classifier> {
  const model = await loadModelFolder(read, { precision });
  let openGraph: (graph: Uint8Array) => ReturnType<ReturnType<typeof ortSessionFactory>>;
  if (runtime === 'node') {
    const ort = await import('onnxruntime-node');
    openGraph = ortSessionFactory(ort, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
  } else {
    const ort = await import('onnxruntime-web/wasm');
    ort.env.wasm.numThreads = 1; // Node has no cross-origin isolation to give it threads; the arithmetic is the same
    openGraph = ortSessionFactory(ort, { executionProviders: ['wasm'] });
  }
  const session = await openGraph(model.graph);
  return borderline ? createClassifierWithBorderline(model, session, { read, openSession: openGraph }) : createClassifier(model, session);
}

const records = (await readFile(path.resolve(root, args.data), 'utf8'))
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as { id: string; text: string });

/** Per document, the label set and the probability per label, in model.json order. */
async function classifyAll(classifier: Classifier) {
  const names = classifier.manifest.labels.map((label) => label.name);
  const out: { labels: string; scores: number[]; rechecked: boolean }[] = [];
  for (const { text } of records) {
    const result = await classifier.classify(text, { attention: false });
    out.push({
      labels: result.labels.join('\n'),
      scores: names.map((name) => result.scores[name] as number),
      rechecked: result.recheck === 'done',
    });
  }
  await classifier.dispose();
  return out;
}

const runtimes = { node: 'onnxruntime-node (the CLI)', wasm: "onnxruntime-web's plain WASM build (the app)" } as const;
const fp32 = await open('node', 'fp32');
const { id, version } = fp32.manifest;
const reference = await classifyAll(fp32);
type Scored = Awaited<ReturnType<typeof classifyAll>>;
/** Against `base`: the documents whose label set differs, and the mean and largest |probability difference|. */
function compare(scored: Scored, base: Scored) {
  const differences = scored.flatMap((doc, d) => doc.scores.map((score, l) => Math.abs(score - (base[d]?.scores[l] as number))));
  return {
    differ: records.filter((_, d) => scored[d]?.labels !== base[d]?.labels).map((record) => record.id),
    mean: Number((differences.reduce((a, b) => a + b, 0) / differences.length).toFixed(5)),
    max: Number(Math.max(...differences).toFixed(4)),
  };
}

const int8: Record<string, unknown> = {};
const byRuntime: Partial<Record<'node' | 'wasm', Scored>> = {};
for (const runtime of ['node', 'wasm'] as const) {
  const scored = await classifyAll(await open(runtime, 'int8'));
  byRuntime[runtime] = scored;
  const { differ, mean, max } = compare(scored, reference);
  int8[runtime] = {
    runtime: runtimes[runtime],
    same_label_set_as_fp32: Number((1 - differ.length / records.length).toFixed(4)),
    documents_that_differ: differ,
    mean_probability_difference: mean,
    max_probability_difference: max,
  };
  if (fp32.manifest.borderline) {
    const withRecheck = await classifyAll(await open(runtime, 'int8', true));
    const rechecked = records.filter((_, d) => withRecheck[d]?.rechecked).map((record) => record.id);
    const after = compare(withRecheck, reference);
    (int8[runtime] as Record<string, unknown>).with_borderline_recheck = {
      margin: fp32.manifest.borderline.margin,
      graph: fp32.manifest.files[fp32.manifest.borderline.precision],
      documents_rechecked: rechecked.length,
      same_label_set_as_fp32: Number((1 - after.differ.length / records.length).toFixed(4)),
      documents_that_differ: after.differ,
    };
  }
  console.log(runtime, JSON.stringify(int8[runtime]));
}

const between = compare(byRuntime.wasm as Scored, byRuntime.node as Scored);
const nodeVsWasm = {
  documents_with_other_label_sets: between.differ,
  mean_probability_difference: between.mean,
  max_probability_difference: between.max,
};
console.log('node vs wasm', JSON.stringify(nodeVsWasm));

const result = {
  benchmark: 'int8-agreement',
  command: 'npm run bench:agreement',
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cpus: os.cpus().length },
  model: { id, version },
  data: { file: args.data, documents: records.length },
  reference: 'model.onnx (fp32) on onnxruntime-node',
  int8,
  int8_node_vs_wasm: nodeVsWasm,
};
await writeFile(path.resolve(root, args.out), `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${args.out}`);
