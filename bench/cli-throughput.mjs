#!/usr/bin/env node
/**
 * CLI throughput beside Python ONNX Runtime and PyTorch eager, in one run, on the same machine.
 *
 *   npm run bench:cli [-- --model DIR] [--data FILE] [--run RUN_DIR] [--threads N] [--repeats N]
 *
 * Each contender classifies every document of --data (default HoC dev) as a fresh process, the
 * way a user runs it: `labelwise classify`, bench/python_throughput.py --backend ort (same int8
 * graph, same tokenizer.json, same windows) and --backend torch (the training checkpoint in
 * --run, when there is one). Runs are interleaved and repeated; the medians are compared.
 * Throughput = documents / (wall time with the documents - wall time with empty input), so
 * process start and model load, reported apart, do not count. Besides the ratio of the medians, each
 * repeat gives a paired ratio (same minutes of the machine), whose spread shows the noise.
 * Scores are checked to agree.
 * Writes bench/results/cli-throughput.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './stats.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: path.join(root, 'public/models/hoc-minilm-lame') },
    data: { type: 'string', default: path.join(root, 'data/hoc/dev.jsonl') },
    run: { type: 'string' },
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '3' },
    out: { type: 'string', default: path.join(root, 'bench/results/cli-throughput.json') },
  },
});
const python = path.join(root, '.venv/bin/python');
const manifest = JSON.parse(readFileSync(path.join(values.model, 'model.json'), 'utf8'));
const documents = readFileSync(values.data, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
// The training run behind the model folder, for PyTorch eager: train/export.py records it in model.json.
const runDir = values.run ?? (manifest.trained?.run && path.join(root, manifest.trained.run));
const torchCheckpoint = runDir !== undefined && existsSync(path.join(runDir, 'checkpoint.pt')) ? runDir : undefined;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'labelwise-bench-'));
const empty = path.join(scratch, 'empty.jsonl');
writeFileSync(empty, '');

const contenders = {
  cli: (input, scores) => [
    process.execPath,
    [path.join(root, 'bin/labelwise.mjs'), 'classify', '--model', values.model, '--threads', values.threads],
    { input, stdoutFile: scores },
  ],
  python_ort: (input, scores) => [
    python,
    [
      'bench/python_throughput.py',
      '--backend',
      'ort',
      '--model',
      values.model,
      '--data',
      '-',
      '--threads',
      values.threads,
      '--out',
      scores,
    ],
    { input },
  ],
};
if (torchCheckpoint !== undefined) {
  contenders.pytorch_eager = (input, scores) => [
    python,
    [
      'bench/python_throughput.py',
      '--backend',
      'torch',
      '--run',
      torchCheckpoint,
      '--model',
      values.model,
      '--data',
      '-',
      '--threads',
      values.threads,
      '--out',
      scores,
    ],
    { input },
  ];
}

function timed(name, input, scores) {
  const [command, args, { stdoutFile }] = contenders[name](input, scores);
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, input: readFileSync(input), maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${name} failed (${result.status}): ${result.stderr}`);
  if (stdoutFile !== undefined) writeFileSync(stdoutFile, result.stdout);
  return seconds;
}

const round = (value, digits = 4) => Number(value.toFixed(digits));
/** Repository paths relative to the repository, others absolute. */
const shown = (file) => (path.resolve(file).startsWith(`${root}${path.sep}`) ? path.relative(root, file) : path.resolve(file));

const input = path.join(scratch, 'input.jsonl');
writeFileSync(input, `${documents.join('\n')}\n`);
const loadBefore = os.loadavg();
const names = Object.keys(contenders);
const timings = Object.fromEntries(names.map((name) => [name, { full: [], empty: [] }]));
/** Seconds spent on the documents in one repeat: the full run less the same repeat's empty run. */
const workSeconds = (name, repeat) => timings[name].full[repeat] - timings[name].empty[repeat];
for (let repeat = 0; repeat < Number(values.repeats); repeat++) {
  // Each repeat starts with the next contender, so none always runs right after the same neighbour
  // (PyTorch's exit frees gigabytes; whoever comes next pays for the kernel's clean-up).
  for (const name of names.map((_, index) => names[(index + repeat) % names.length])) {
    timings[name].empty.push(timed(name, empty, path.join(scratch, `${name}-empty.jsonl`)));
    timings[name].full.push(timed(name, input, path.join(scratch, `${name}.jsonl`)));
    process.stderr.write(
      `${name} run ${repeat + 1}: ${timings[name].full.at(-1).toFixed(2)} s with documents, ${timings[name].empty.at(-1).toFixed(2)} s empty\n`,
    );
  }
}

const results = {};
for (const [name, { full, empty: startup }] of Object.entries(timings)) {
  const work = median(full) - median(startup);
  results[name] = {
    wall_seconds: full.map((s) => round(s, 3)),
    startup_seconds: startup.map((s) => round(s, 3)),
    docs_per_second: round(documents.length / work, 2),
    docs_per_second_including_startup: round(documents.length / median(full), 2),
  };
}

// Same work: the contenders' scores must agree (int8 vs PyTorch fp32 differ by quantisation only).
const scoresOf = (name) =>
  readFileSync(path.join(scratch, `${name}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
const reference = scoresOf('cli');
const agreement = {};
for (const name of names.filter((n) => n !== 'cli')) {
  const other = scoresOf(name);
  let maxDifference = 0;
  let sameLabels = 0;
  for (const [index, record] of reference.entries()) {
    for (const [label, score] of Object.entries(record.scores))
      maxDifference = Math.max(maxDifference, Math.abs(score - other[index].scores[label]));
    if (JSON.stringify(record.labels) === JSON.stringify(other[index].labels)) sameLabels++;
  }
  agreement[`cli_vs_${name}`] = {
    max_abs_score_difference: Number(maxDifference.toPrecision(3)),
    same_labels: `${sameLabels}/${reference.length}`,
  };
}

const ratios = {};
const pairedRatios = {};
for (const name of names.filter((n) => n !== 'cli')) {
  ratios[`cli_over_${name}`] = round(results.cli.docs_per_second / results[name].docs_per_second, 3);
  pairedRatios[`cli_over_${name}`] = timings.cli.full
    .map((_, repeat) => round(workSeconds(name, repeat) / workSeconds('cli', repeat), 3))
    .sort((a, b) => a - b);
}
const report = {
  benchmark: 'labelwise classify throughput vs Python ONNX Runtime and PyTorch eager (npm run bench:cli)',
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    node: process.version,
    loadavg_before: loadBefore.map((l) => round(l, 2)),
    loadavg_after: os.loadavg().map((l) => round(l, 2)),
  },
  model: {
    id: manifest.id,
    version: manifest.version,
    folder: shown(values.model),
    graph: manifest.files.int8,
    task: manifest.task,
  },
  data: shown(values.data),
  documents: documents.length,
  threads: Number(values.threads),
  repeats: Number(values.repeats),
  pytorch_eager:
    torchCheckpoint === undefined ? 'skipped: no training checkpoint (pass --run RUN_DIR with checkpoint.pt)' : shown(torchCheckpoint),
  results,
  ratios,
  paired_ratios_sorted: pairedRatios,
  agreement,
  target: 'cli_over_python_ort >= 1',
};
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
rmSync(scratch, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ results: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.docs_per_second])), ratios, agreement }, null, 2)}\n`,
);
