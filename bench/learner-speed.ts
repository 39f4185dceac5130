/**
 * Learner speed and storage (issue 19): training time after a decision at 50, 500 and 2,000 decisions, rescoring
 * 10,000 documents after a training, and the stored feature bytes per document. HoC train+dev's features (from
 * the feature cache, or the encoder), repeated to make the larger pools; gold labels as the decisions.
 *
 *   node --import tsx bench/learner-speed.ts [--repeats 10] > bench/results/learner-speed.json
 */
import { execSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { featuresOf, openFeatureEncoder } from '../src/cli/shared';
import { type Decision, describeLabels, Learner, parseScheme, serializeFeatures } from '../src/core/learner';
import { summary } from './stats.mjs';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '10' } } });
const repeats = Number(values.repeats);
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
const pool = Array.from({ length: POOL }, (_, i) => features[i % features.length]);
const gold = Array.from({ length: POOL }, (_, i) => (records[i % records.length] as { labels: string[] }).labels);
const label = scheme.labels.findIndex((l) => l.name === 'Inducing angiogenesis');
const training: Record<string, unknown> = {};
for (const at of [50, 500, 2000]) {
  const learner = new Learner(scheme, descriptions, pool as never);
  const decisions: Decision[] = Array.from({ length: at - repeats }, (_, doc) => ({ doc, labels: gold[doc] as string[] }));
  learner.train(decisions, [label]);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    decisions.push({ doc: decisions.length, labels: gold[decisions.length] as string[] });
    times.push(learner.train(decisions, [label]).milliseconds);
  }
  training[String(at)] = summary(times);
}
const learner = new Learner(scheme, descriptions, pool as never);
learner.train(
  Array.from({ length: 200 }, (_, doc) => ({ doc, labels: gold[doc] as string[] })),
  undefined,
);
const time = (fn: () => void) => {
  const started = performance.now();
  fn();
  return performance.now() - started;
};
const oneLabel = Array.from({ length: 3 }, () =>
  time(() => {
    for (let d = 0; d < POOL; d++) learner.probability(d, label);
  }),
);
const allLabels = Array.from({ length: 3 }, () =>
  time(() => {
    for (let d = 0; d < POOL; d++) learner.score(d);
  }),
);
const cpu = execSync("lscpu | grep 'Model name'").toString().split(':')[1]?.trim();
process.stdout.write(
  `${JSON.stringify(
    {
      command: 'node --import tsx bench/learner-speed.ts',
      cpu,
      note: 'Node (the CLI), one thread, on a CPU shared with other work; the page worker runs the same code',
      pool: POOL,
      training_ms_one_label_after_decisions: training,
      rescoring_10000_ms: { one_label: summary(oneLabel), ten_labels: summary(allLabels) },
      stored_feature_bytes_per_document: {
        mean: Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length),
        max: Math.max(...bytes),
        for_10000_documents_mib: Number((((bytes.reduce((a, b) => a + b, 0) / bytes.length) * 1e4) / 2 ** 20).toFixed(1)),
      },
    },
    null,
    2,
  )}\n`,
);
