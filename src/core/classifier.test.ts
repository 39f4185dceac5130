import { readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClassifier } from '../cli/shared';
import { folderReader, REPO_ROOT, testModelFolder } from '../cli/testing';
import { type Classifier, createClassifier } from './classifier';
import { type LoadedModel, loadModelFolder } from './model-folder';
import { type LabelAttentionSession, ortSessionFactory } from './session';
import { planWindows } from './windows';

const abstracts = readFileSync(path.join(REPO_ROOT, 'data/hoc/dev.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { text: string }).text);

let model: LoadedModel;
let session: LabelAttentionSession;
let classifier: Classifier;

beforeAll(async () => {
  model = await loadModelFolder(folderReader(testModelFolder()));
  session = await ortSessionFactory(ort, { intraOpNumThreads: 1 })(model.graph);
  // The combining rules differ by task: test multi_label here whatever the folder says; single_label below.
  classifier = createClassifier({ ...model, manifest: { ...model.manifest, task: 'multi_label' } }, session);
});
afterAll(() => classifier.dispose());

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

/** Runs tokens [start, end) of `ids` directly through the session, as one window. */
async function runWindow(ids: number[], start: number, end: number) {
  const input = BigInt64Array.from([model.tokenizer.clsId, ...ids.slice(start, end), model.tokenizer.sepId], BigInt);
  return session.run(input);
}

function expectWordsCoverText(text: string, attention: Record<string, [number, number, number][]>) {
  const words = model.tokenizer.encode(text).words;
  const wordCount = new Set(words).size;
  for (const label of model.manifest.labels) {
    const spans = attention[label.name];
    expect(spans, label.name).toBeDefined();
    expect(spans).toHaveLength(wordCount);
    const total = (spans ?? []).reduce((sum, [, , weight]) => sum + weight, 0);
    expect(total).toBeCloseTo(1, 9);
    for (const [start, end, weight] of spans ?? []) {
      expect(weight).toBeGreaterThanOrEqual(0);
      expect(end).toBeGreaterThan(start);
      expect(text.slice(start, end)).not.toMatch(/\s/);
    }
  }
}

describe('classify on a real model with onnxruntime-node', () => {
  it('matches a direct run of the graph on a short abstract', async () => {
    const text = abstracts[0] as string;
    const result = await classifier.classify(text);
    const ids = model.tokenizer.encode(text).ids;
    expect(result.windows).toBe(1);
    const direct = await runWindow(ids, 0, ids.length);
    for (const [index, label] of model.manifest.labels.entries()) {
      expect(result.scores[label.name]).toBeCloseTo(sigmoid(direct.logits[index] as number), 6);
      expect(result.labels.includes(label.name)).toBe((result.scores[label.name] as number) >= label.threshold);
    }
    expectWordsCoverText(text, result.attention);
  });

  it('splits a 3000+ token text into windows and combines them', async () => {
    const text = abstracts.slice(0, 12).join('\n\n');
    const ids = model.tokenizer.encode(text).ids;
    expect(ids.length).toBeGreaterThan(3000);
    const progress: number[] = [];
    const started: string[] = [];
    const result = await classifier.classify(text, {
      onProgress: ({ done, total }) => progress.push(done / total),
      onWindowStart: ({ done, total }) => started.push(`${done}/${total}`),
    });
    const windows = planWindows(ids.length, model.manifest.window);
    expect(result.windows).toBe(windows.length);
    expect(result.tokens).toBe(ids.length);
    expect(progress).toEqual(windows.map((_, index) => (index + 1) / windows.length));
    // Each window is announced before it runs, with the windows finished so far.
    expect(started).toEqual(windows.map((_, index) => `${index}/${windows.length}`));

    // multi_label: a label's probability is the sigmoid of its max logit over the windows.
    const perWindow = await Promise.all(windows.map(({ start, end }) => runWindow(ids, start, end)));
    for (const [index, label] of model.manifest.labels.entries()) {
      const maxLogit = Math.max(...perWindow.map((output) => output.logits[index] as number));
      expect(result.scores[label.name]).toBeCloseTo(sigmoid(maxLogit), 6);
    }
    expectWordsCoverText(text, result.attention);

    // Attention: a token's weight is the mean over the windows covering it, renormalised, summed per word.
    const { words } = model.tokenizer.encode(text);
    for (const [index, label] of model.manifest.labels.entries()) {
      const sums = new Float64Array(ids.length);
      const cover = new Float64Array(ids.length);
      for (const [w, { start, end }] of windows.entries()) {
        const row = (perWindow[w] as { labelAttention: Float32Array }).labelAttention.subarray(index * (end - start + 2));
        for (let token = start; token < end; token++) {
          sums[token] = (sums[token] as number) + (row[token - start + 1] as number);
          cover[token] = (cover[token] as number) + 1;
        }
      }
      const tokenWeights = sums.map((sum, token) => sum / (cover[token] as number));
      const total = tokenWeights.reduce((sum, weight) => sum + weight, 0);
      const expected = new Map<number, number>();
      for (const [token, word] of words.entries()) expected.set(word, (expected.get(word) ?? 0) + (tokenWeights[token] as number) / total);
      const actual = (result.attention[label.name] ?? []).map(([, , weight]) => weight);
      expect(actual).toHaveLength(expected.size);
      for (const [position, weight] of [...expected.values()].entries()) expect(actual[position]).toBeCloseTo(weight, 9);
    }
    // The last word of the text is attended to, whatever window covers it.
    const lastWord = result.attention[model.manifest.labels[0]?.name ?? '']?.at(-1);
    expect(lastWord?.[1]).toBe(text.trimEnd().length);
  });

  it('averages logits with softmax for a single_label model', async () => {
    const singleLabel = createClassifier({ ...model, manifest: { ...model.manifest, task: 'single_label' } }, session);
    const text = abstracts.slice(0, 4).join(' ');
    const result = await singleLabel.classify(text);
    const ids = model.tokenizer.encode(text).ids;
    const windows = planWindows(ids.length, model.manifest.window);
    expect(windows.length).toBeGreaterThan(1);
    const perWindow = await Promise.all(windows.map(({ start, end }) => runWindow(ids, start, end)));
    const mean = model.manifest.labels.map(
      (_, index) => perWindow.reduce((sum, o) => sum + (o.logits[index] as number), 0) / windows.length,
    );
    const exps = mean.map((value) => Math.exp(value - Math.max(...mean)));
    const total = exps.reduce((sum, value) => sum + value, 0);
    for (const [index, label] of model.manifest.labels.entries()) {
      expect(result.scores[label.name]).toBeCloseTo((exps[index] as number) / total, 6);
    }
    const best = mean.indexOf(Math.max(...mean));
    expect(result.labels).toEqual([model.manifest.labels[best]?.name]);
  });

  it('stops between windows when cancelled', async () => {
    const text = abstracts.slice(0, 12).join('\n\n');
    const controller = new AbortController();
    let done = 0;
    const run = classifier.classify(text, {
      signal: controller.signal,
      onProgress: (progress) => {
        done = progress.done;
        if (progress.done === 1) controller.abort(new Error('cancelled by test'));
      },
    });
    await expect(run).rejects.toThrow('cancelled by test');
    expect(done).toBe(1);
  });

  it('classifies empty text without words and can skip attention', async () => {
    const empty = await classifier.classify('');
    expect(empty.tokens).toBe(0);
    expect(Object.values(empty.attention).every((spans) => spans.length === 0)).toBe(true);
    const noAttention = await classifier.classify(abstracts[1] as string, { attention: false });
    expect(noAttention.attention).toEqual({});
    expect(Object.keys(noAttention.scores)).toEqual(model.manifest.labels.map((label) => label.name));
  });
});

describe('borderline documents on the shipped HoC model', () => {
  const folder = path.join(REPO_ROOT, 'public/models/hoc-minilm-lame');
  let int8: LoadedModel;
  let fp16: LoadedModel;
  let plain: Classifier;
  let reference: Classifier;

  beforeAll(async () => {
    int8 = await loadModelFolder(folderReader(folder));
    fp16 = await loadModelFolder(folderReader(folder), { precision: 'fp16' });
    const open = ortSessionFactory(ort, { intraOpNumThreads: 1 });
    plain = createClassifier(int8, await open(int8.graph));
    reference = createClassifier(fp16, await open(fp16.graph));
  });
  afterAll(() => Promise.all([plain.dispose(), reference.dispose()]));

  /** Dev abstracts whose int8 probabilities do (near) or do not (clear) come within the margin of a threshold. */
  async function splitByMargin(margin: number, wanted: number) {
    const near: string[] = [];
    const clear: string[] = [];
    for (const text of abstracts) {
      const { scores } = await plain.classify(text, { attention: false });
      const close = int8.manifest.labels.some((label) => Math.abs((scores[label.name] as number) - label.threshold) < margin);
      (close ? near : clear).push(text);
      if (near.length >= wanted && clear.length >= 1) break;
    }
    return { near, clear };
  }

  it('scores a document near a threshold again with the fp16 graph, opening it once', async () => {
    const margin = int8.manifest.borderline?.margin;
    expect(int8.manifest.borderline?.precision).toBe('fp16');
    const { near, clear } = await splitByMargin(margin as number, 2);
    expect(near.length).toBe(2);
    let opened = 0;
    const cascade = createClassifier(int8, await ortSessionFactory(ort, { intraOpNumThreads: 1 })(int8.graph), {
      openBorderline: async () => {
        opened += 1;
        return ortSessionFactory(ort, { intraOpNumThreads: 1 })(fp16.graph);
      },
    });
    for (const text of near) {
      const progress: string[] = [];
      const result = await cascade.classify(text, { onProgress: ({ done, total }) => progress.push(`${done}/${total}`) });
      const expected = await reference.classify(text);
      expect(result.recheck).toBe('done');
      expect(result.labels).toEqual(expected.labels);
      for (const label of int8.manifest.labels) {
        expect(result.scores[label.name]).toBeCloseTo(expected.scores[label.name] as number, 6);
      }
      expect(result.attention).toEqual(expected.attention);
      expect(progress.at(-1)).toBe(`${2 * result.windows}/${2 * result.windows}`);
    }
    const far = await cascade.classify(clear[0] as string);
    expect(far.recheck).toBe('not-needed');
    expect(far.scores).toEqual((await plain.classify(clear[0] as string)).scores);
    expect(opened).toBe(1);
    await cascade.dispose();
  });

  it('returns the int8 result marked unavailable when the fp16 graph cannot be read, and rechecks once it can', async () => {
    const { near } = await splitByMargin(int8.manifest.borderline?.margin as number, 1);
    const text = near[0] as string;
    // A real model folder whose fp16 graph is missing (as offline, before it was ever fetched).
    const partial = await mkdtemp(path.join(tmpdir(), 'labelwise-no-fp16-'));
    for (const file of ['model.json', 'tokenizer.json', 'tokenizer_config.json', 'model.int8.onnx']) {
      await symlink(path.join(folder, file), path.join(partial, file));
    }
    const cascade = await openClassifier(partial, 'int8', 1);
    try {
      const missing = await cascade.classify(text);
      expect(missing.recheck).toBe('unavailable');
      expect(missing.recheckError).toContain('model.fp16.onnx');
      expect(missing.scores).toEqual((await plain.classify(text)).scores);

      await symlink(path.join(folder, 'model.fp16.onnx'), path.join(partial, 'model.fp16.onnx'));
      const found = await cascade.classify(text);
      expect(found.recheck).toBe('done');
      expect(found.recheckError).toBeUndefined();
      expect(found.scores).toEqual((await reference.classify(text)).scores);
    } finally {
      await cascade.dispose();
      await rm(partial, { recursive: true });
    }
  });
});
