/**
 * Learner speed and storage (issue 19): training time after a decision at 50, 500 and 2,000 decisions (one label,
 * as screening trains, and all ten HoC labels, as a scheme trains in the page), rescoring 10,000 documents after a
 * training, building the learner over 10,000 documents, and the stored bytes per document (features) and per
 * learner (saved state). HoC train+dev's features (from the feature cache, or the encoder), repeated to make the
 * larger pools; gold labels as the decisions.
 *
 *   node --import tsx bench/learner-speed.ts [--repeats 10] > bench/results/learner-speed.json
 */
import { execSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { featuresOf, openFeatureEncoder } from '../src/cli/shared';
import { DEFAULT_SETTINGS, type Decision, describeLabels, Learner, packState, parseScheme, serializeFeatures } from '../src/core/learner';
import { summary } from './stats.mjs';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '10' } } });
const repeats = Number(values.repeats);
const loadBefore = os.loadavg();
const records = (await Promise.all(['data/hoc/train.jsonl', 'data/hoc/dev.jsonl'].map((file) => readFile(file, 'utf8'))))
  .flatMap((text) => text.split('\n'))
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { text: string; labels: string[] });
const scheme = parseScheme(JSON.parse(await readFile('data/hoc/labels.json', 'utf8')));
const { encoder, encoderHash, release } = await openFeatureEncoder('public/models/minilm-encoder', 2);
const features = await featuresOf(
  records.map((r) => r.text),
  encoder,
  encoderHash,
  '.cache/features',
);
const descriptions = await describeLabels(scheme, encoder);
await release();
const bytes = features.map((f) => serializeFeatures(f).byteLength);

const POOL = 10_000;
const pool = Array.from({ length: POOL }, (_, i) => features[i % features.length] as (typeof features)[number]);
const gold = Array.from({ length: POOL }, (_, i) => (records[i % records.length] as { labels: string[] }).labels);
const label = scheme.labels.findIndex((l) => l.name === 'Inducing angiogenesis');
const time = (fn: () => void) => {
  const started = performance.now();
  fn();
  return performance.now() - started;
};
// The heap and the typed arrays' buffers (outside the heap): the learner's per-document caches are typed arrays.
const memoryUsed = () => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const memoryBefore = memoryUsed();
let learner: Learner | undefined;
const buildMs = time(() => {
  learner = new Learner(scheme, descriptions, pool);
});
const memoryMib = (memoryUsed() - memoryBefore) / 2 ** 20;

/** Times of the trainings that bring a learner to `at - repeats + 1`, ..., `at` decisions, warm-started as in the
 * page: first five trainings on the earlier decisions (a training's time depends on the decisions and their terms,
 * not on the path its weights took). */
function trainingTimes(at: number, only: number[] | undefined): { times: ReturnType<typeof summary>; learner: Learner } {
  const fresh = new Learner(scheme, descriptions, pool);
  const decisions: Decision[] = Array.from({ length: at - repeats }, (_, doc) => ({ doc, labels: gold[doc] as string[] }));
  for (let warm = 0; warm < 5; warm++) fresh.train(decisions, only);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    decisions.push({ doc: decisions.length, labels: gold[decisions.length] as string[] });
    times.push(fresh.train(decisions, only).milliseconds);
  }
  return { times: summary(times), learner: fresh };
}
const training: Record<string, unknown> = {};
for (const at of [50, 500, 2000]) {
  const ten = trainingTimes(at, undefined);
  training[String(at)] = { one_label: trainingTimes(at, [label]).times, ten_labels: ten.times };
  learner = ten.learner;
}
// A training that learns the attention again (every label at once: a fresh learner's second training, its first
// having found positives) beside one that does not; in use it comes once the decisions have grown by a tenth.
const attentionLearning = (() => {
  const fresh = new Learner(scheme, descriptions, pool);
  const decisions: Decision[] = Array.from({ length: 2000 }, (_, doc) => ({ doc, labels: gold[doc] as string[] }));
  fresh.train(decisions);
  const learning = fresh.train(decisions).milliseconds;
  return { with_attention_learned_ms: Number(learning.toFixed(0)), without_ms: Number(fresh.train(decisions).milliseconds.toFixed(0)) };
})();
const trained = learner as Learner;
const oneLabel = Array.from({ length: 3 }, () =>
  time(() => {
    for (let d = 0; d < POOL; d++) trained.probability(d, label);
  }),
);
const allLabels = Array.from({ length: 3 }, () =>
  time(() => {
    for (let d = 0; d < POOL; d++) trained.score(d);
  }),
);
const state = packState(trained.exportState());
const cpu = execSync("lscpu | grep 'Model name'").toString().split(':')[1]?.trim();
const meanBytes = bytes.reduce((a, b) => a + b, 0) / bytes.length;
process.stdout.write(
  `${JSON.stringify(
    {
      benchmark: 'learner speed and storage (issue 19)',
      command: 'node --import tsx bench/learner-speed.ts',
      date: new Date().toISOString(),
      cpu,
      load_average: { before: loadBefore.map((x) => Number(x.toFixed(2))), after: os.loadavg().map((x) => Number(x.toFixed(2))) },
      note: 'Node (the CLI), one thread, on a CPU shared with other work; the page worker runs the same code',
      settings: DEFAULT_SETTINGS,
      pool: POOL,
      build_10000_ms: Number(buildMs.toFixed(0)),
      learner_memory_mib_10000: Number(memoryMib.toFixed(1)),
      training_ms_after_decisions: training,
      ten_label_training_at_2000_learning_attention: attentionLearning,
      targets: { training_p95_ms_at_2000: 1000, rescoring_10000_ms: 2000 },
      rescoring_10000_ms: { one_label: summary(oneLabel), ten_labels: summary(allLabels) },
      saved_state_bytes_at_2000_decisions: state.byteLength,
      stored_feature_bytes_per_document: {
        mean: Math.round(meanBytes),
        max: Math.max(...bytes),
        for_10000_documents_mib: Number(((meanBytes * 1e4) / 2 ** 20).toFixed(1)),
      },
    },
    null,
    2,
  )}\n`,
);
