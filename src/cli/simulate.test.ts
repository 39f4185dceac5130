import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelwise, REPO_ROOT } from './testing';

const ANGIOGENESIS = 'Inducing angiogenesis';
let scratch: string;
let data: string;
let evaluation: string;
const scheme = path.join(REPO_ROOT, 'data/hoc/labels.json');

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'labelwise-simulate-'));
  const lines = (await readFile(path.join(REPO_ROOT, 'data/hoc/dev.jsonl'), 'utf8')).split('\n').filter((line) => line.trim() !== '');
  // Eight abstracts, two of them about angiogenesis, and two bad lines.
  const relevant = lines.filter((line) => line.includes(ANGIOGENESIS)).slice(0, 2);
  const others = lines.filter((line) => !line.includes(ANGIOGENESIS)).slice(0, 6);
  data = path.join(scratch, 'pool.jsonl');
  await writeFile(data, [...others.slice(0, 3), '{"id": "x", "text": "no labels"}', ...relevant, '{broken', ...others.slice(3)].join('\n'));
  evaluation = path.join(scratch, 'eval.jsonl');
  await writeFile(evaluation, lines.slice(20, 24).join('\n'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('labelwise simulate', () => {
  it('screens for one label from its description, training after every decision', async () => {
    const summary = path.join(scratch, 'summary.json');
    const args = [
      'simulate',
      '--data',
      data,
      '--scheme',
      scheme,
      '--label',
      ANGIOGENESIS,
      '--summary',
      summary,
      '--cache',
      path.join(scratch, 'cache'),
      '--threads',
      '1',
    ];
    const run = await labelwise(args);
    expect(run.stderr).toContain('line 4: field "labels": expected an array of label names');
    expect(run.stderr).toContain('line 7: invalid JSON');
    expect(run.code).toBe(1);
    const steps = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(steps.map((step) => step.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(steps.map((step) => step.model_version)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(steps.map((step) => step.id)).size).toBe(8);
    for (const step of steps) {
      expect(Object.keys(step.scores)).toEqual([ANGIOGENESIS]);
      expect(step.scores[ANGIOGENESIS]).toBeGreaterThanOrEqual(0);
      expect(step.scores[ANGIOGENESIS]).toBeLessThanOrEqual(1);
    }
    const report = JSON.parse(await readFile(summary, 'utf8'));
    expect(report.relevant).toBe(2);
    expect(report.bad_lines).toBe(2);
    expect(Number.isFinite(report.wss_at_95)).toBe(true);
    expect(report.recall_at_10).toBeGreaterThanOrEqual(0);

    // The second run reads the cached features and gives the same steps.
    const again = await labelwise(args);
    expect(again.stdout).toBe(run.stdout);
  });

  it('screens the whole scheme by uncertainty and reports F1 on --eval', async () => {
    const summary = path.join(scratch, 'scheme.json');
    const run = await labelwise([
      'simulate',
      '--data',
      evaluation,
      '--scheme',
      scheme,
      '--eval',
      evaluation,
      '--summary',
      summary,
      '--cache',
      path.join(scratch, 'cache'),
      '--threads',
      '1',
    ]);
    expect(run.code).toBe(0);
    const steps = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(steps).toHaveLength(4);
    expect(Object.keys(steps[0].scores)).toHaveLength(10);
    const report = JSON.parse(await readFile(summary, 'utf8'));
    expect(Object.keys(report.evaluation.by_step)).toEqual(['0']);
    expect(report.evaluation.by_step['0'].micro_f1).toBeGreaterThanOrEqual(0);
  });

  it('exports a taught folder that classify runs with the learner’s scores and simulate --from-model goes on from', async () => {
    const folder = path.join(scratch, 'taught');
    const cache = path.join(scratch, 'cache');
    const exported = await labelwise([
      'simulate',
      '--data',
      evaluation,
      '--scheme',
      scheme,
      '--export',
      folder,
      '--cache',
      cache,
      '--threads',
      '1',
    ]);
    expect(exported.code).toBe(0);
    const classified = await labelwise(['classify', '--model', folder, '--threads', '1'], await readFile(evaluation));
    expect(classified.code).toBe(0);
    const outputs = classified.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(outputs).toHaveLength(4);
    // simulate --from-model: its first step scores a document with the exported learner, as classify did.
    const resumed = await labelwise(['simulate', '--data', evaluation, '--from-model', folder, '--cache', cache, '--threads', '1']);
    expect(resumed.code).toBe(0);
    const step = JSON.parse(resumed.stdout.split('\n')[0] as string);
    expect(step.model_version).toBe(4);
    const output = outputs.find((line) => line.id === step.id);
    expect(Object.keys(output.scores)).toEqual(Object.keys(step.scores));
    for (const [name, p] of Object.entries(step.scores))
      expect(Math.abs((output.scores[name] as number) - (p as number))).toBeLessThan(1e-4);
    const both = await labelwise(['simulate', '--data', evaluation, '--scheme', scheme, '--from-model', folder]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });

  it('explains usage errors with exit code 2', async () => {
    const noLabel = await labelwise(['simulate', '--data', data, '--scheme', scheme, '--label', 'Nope']);
    expect(noLabel.code).toBe(2);
    expect(noLabel.stderr).toContain('--label "Nope" is not a label');
    const noData = await labelwise(['simulate', '--scheme', scheme]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toContain('missing required option --data');
  });
});
