import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelManifest, scorePredictions } from '../core';
import { labelwise, REPO_ROOT, testModelFolder } from './testing';

const devLines = async () =>
  (await readFile(path.join(REPO_ROOT, 'data/hoc/dev.jsonl'), 'utf8')).split('\n').filter((line) => line.trim() !== '');

let folder: string;
let manifest: ModelManifest;
let scratch: string;

beforeAll(async () => {
  folder = testModelFolder();
  manifest = JSON.parse(await readFile(path.join(folder, 'model.json'), 'utf8'));
  scratch = await mkdtemp(path.join(os.tmpdir(), 'labelwise-cli-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('labelwise classify', () => {
  it('skips texts over --max-chars and far-too-long lines by line number, warns on bad UTF-8 and empty text, shows progress', async () => {
    const lines = await devLines();
    const first = JSON.parse(lines[0] as string) as { id: string; text: string };
    const longText = lines
      .slice(0, 30)
      .map((line) => (JSON.parse(line) as { text: string }).text)
      .join('\n\n');
    const input = Buffer.concat([
      Buffer.from(`${JSON.stringify({ id: 'over', text: 'a '.repeat(100_001) })}\n`),
      Buffer.from(`${JSON.stringify({ id: 'huge', text: 'b'.repeat(1_400_000) })}\n`),
      Buffer.from(`${JSON.stringify({ id: 'empty', text: '' })}\n`),
      Buffer.from('{"id": "latin1", "text": "caf'),
      Buffer.from([0xe9]),
      Buffer.from(` cells proliferate"}\n`),
      Buffer.from(`${JSON.stringify({ id: 'long', text: longText })}\n`),
      Buffer.from(`${JSON.stringify(first)}\n`),
    ]);
    const run = await labelwise(['classify', '--model', folder, '--max-chars', '200000'], input);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 1: text of 200,002 characters is longer than --max-chars 200000; skipped');
    expect(run.stderr).toContain('line 2: line longer than 1,265,536 bytes; skipped');
    expect(run.stderr).toContain('line 3: empty text');
    expect(run.stderr).toContain('line 4: not valid UTF-8');
    expect(run.stderr).toMatch(/line 5: (\d+)\/\1 windows/);
    expect(run.stderr).toContain('2 line(s) failed');
    const outputs = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(outputs.map((output) => output.id)).toEqual(['empty', 'latin1', 'long', first.id]);
  });

  it('classifies good lines, reports bad ones by line number and exits 1', async () => {
    const [first, second] = await devLines();
    const long = JSON.stringify({ id: 7, text: Array.from({ length: 900 }, (_, i) => `cells${i % 7} proliferate;`).join(' ') });
    const input = [first, second, '', '{"id": "broken", "text": ', '{"id": "no-text"}', long, '[1, 2]'].join('\n');
    const run = await labelwise(['classify', '--model', folder, '--attention'], input);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 4: invalid JSON');
    expect(run.stderr).toContain('line 5: field "text": expected a string');
    expect(run.stderr).toContain('line 7: expected a JSON object');
    expect(run.stderr).toContain('3 line(s) failed');

    const outputs = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(outputs.map((output) => output.id)).toEqual([JSON.parse(first as string).id, JSON.parse(second as string).id, 7]);
    for (const output of outputs) {
      expect(Object.keys(output)).toEqual(['id', 'labels', 'scores', 'attention']);
      expect(Object.keys(output.scores)).toEqual(manifest.labels.map((label) => label.name));
      if (manifest.task === 'multi_label') {
        expect(output.labels).toEqual(manifest.labels.filter((label) => output.scores[label.name] >= label.threshold).map((l) => l.name));
      }
      for (const label of manifest.labels) {
        const spans: [number, number, number][] = output.attention[label.name];
        expect(spans.length).toBeGreaterThan(0);
        expect(spans.reduce((sum, [, , weight]) => sum + weight, 0)).toBeCloseTo(1, 6);
      }
    }
    // Spans point into the input text.
    const text = JSON.parse(first as string).text as string;
    const words = outputs[0].attention[manifest.labels[0]?.name as string].map(([start, end]: number[]) => text.slice(start, end));
    expect(words.join('')).toBe(text.replace(/\s+/g, ''));
  });

  it('exits 0 and leaves attention out unless asked', async () => {
    const lines = (await devLines()).slice(2, 4);
    const run = await labelwise(['classify', '--model', folder, '--precision', 'int8', '--threads', '1'], lines.join('\n'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const outputs = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(outputs).toHaveLength(2);
    expect(Object.keys(outputs[0])).toEqual(['id', 'labels', 'scores']);
  });

  it('explains usage errors and model folder errors with exit code 2', async () => {
    const noModel = await labelwise(['classify']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('missing required option --model');
    const badOption = await labelwise(['classify', '--model', folder, '--fast']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--fast'");
    const badPrecision = await labelwise(['classify', '--model', folder, '--precision', 'int4']);
    expect(badPrecision.stderr).toContain('--precision must be int8, fp32 or fp16');
    const missing = await labelwise(['classify', '--model', path.join(scratch, 'nowhere')], '{"id":1,"text":"x"}');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('model.json: cannot be read');
  });
});

describe('labelwise eval', () => {
  it('prints F1 as JSON, matching the predictions of classify, and reports bad lines', async () => {
    const lines = (await devLines()).slice(0, 6);
    const data = path.join(scratch, 'eval.jsonl');
    await writeFile(data, [...lines, '{"id": "x", "text": "cells", "labels": ["Not a label"]}'].join('\n'));
    const run = await labelwise(['eval', '--model', folder, '--data', data]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${data}: line 7: field "labels": not labels of this model: "Not a label"`);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ model: manifest.id, documents: 6, failed_lines: [7], precision: 'int8' });

    const classified = await labelwise(['classify', '--model', folder], lines.join('\n'));
    const predicted = classified.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).labels as string[]);
    const gold = lines.map((line) => JSON.parse(line).labels as string[]);
    const expected = scorePredictions(
      manifest.labels.map((label) => label.name),
      gold,
      predicted,
      manifest.task,
    );
    expect(report.micro_f1).toBeCloseTo(expected.micro_f1, 12);
    expect(report.macro_f1).toBeCloseTo(expected.macro_f1, 12);
  });

  it('with --input title+abstract, scores the title and the text together', async () => {
    // Titles from another hallmark's vocabulary, so that they can change predictions.
    const titles = ['Angiogenesis and VEGF-driven tumour vascularization', 'Evasion of immune destruction by tumour cells', ''];
    const records = (await devLines()).slice(0, 3).map((line, index) => ({ ...JSON.parse(line), title: titles[index] }));
    const data = path.join(scratch, 'titled.jsonl');
    await writeFile(
      data,
      [...records.map((record) => JSON.stringify(record)), '{"id": "t", "text": "cells", "labels": [], "title": 7}'].join('\n'),
    );
    const run = await labelwise(['eval', '--model', folder, '--data', data, '--input', 'title+abstract']);
    expect(run.stderr).toContain('line 4: field "title": expected a string');
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ input: 'title+abstract', with_title: 2, documents: 3 });

    const texts = records.map((record) =>
      JSON.stringify({ id: record.id, text: record.title ? `${record.title}\n${record.text}` : record.text }),
    );
    const classified = await labelwise(['classify', '--model', folder], texts.join('\n'));
    const predicted = classified.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).labels as string[]);
    const names = manifest.labels.map((label) => label.name);
    const expected = scorePredictions(
      names,
      records.map((record) => record.labels as string[]),
      predicted,
      manifest.task,
    );
    expect(report.micro_f1).toBeCloseTo(expected.micro_f1, 12);
    expect(report.macro_f1).toBeCloseTo(expected.macro_f1, 12);

    const wrong = await labelwise(['eval', '--model', folder, '--data', data, '--input', 'title']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--input must be abstract or title+abstract (got "title")');
  });

  it('requires a readable --data file', async () => {
    const run = await labelwise(['eval', '--model', folder]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing required option --data');
    const directory = await labelwise(['eval', '--model', folder, '--data', scratch]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(`--data ${scratch}: EISDIR`);
  });
});

describe('labelwise', () => {
  it('lists its commands on --help and rejects unknown ones', async () => {
    const help = await labelwise(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/classify\s+classify JSON Lines/);
    expect(help.stdout).toMatch(/eval\s+score a model/);
    expect(help.stdout).toMatch(/import\s+\S/);
    const unknown = await labelwise(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});
