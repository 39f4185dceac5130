import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featuresOf, openFeatureEncoder } from '../../cli/shared';
import { folderReader, REPO_ROOT } from '../../cli/testing';
import { ModelFolderError } from '../manifest';
import { loadModelFolder } from '../model-folder';
import { openModelFolder } from '../open-folder';
import { ortSessionFactory } from '../session';
import {
  createTaughtClassifier,
  type Decision,
  type DocumentFeatures,
  describeLabels,
  Learner,
  loadTaughtFolder,
  modelFolderKind,
  type OrtEncoderModule,
  openEncoderSession,
  packState,
  parseScheme,
  unpackState,
  writeTaughtFolder,
} from '.';

const ENCODER = path.join(REPO_ROOT, 'public/models/minilm-encoder');
let texts: string[];
let labels: string[][];
let features: DocumentFeatures[];
let descriptions: Array<Float32Array | null>;
let closeEncoder: () => Promise<void>;
const scheme = parseScheme(JSON.parse(await readFile(path.join(REPO_ROOT, 'data/hoc/labels.json'), 'utf8')));

beforeAll(async () => {
  const lines = (await readFile(path.join(REPO_ROOT, 'data/hoc/dev.jsonl'), 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const records = lines.slice(0, 10).map((line) => JSON.parse(line) as { text: string; labels: string[] });
  texts = records.map((record) => record.text);
  labels = records.map((record) => record.labels);
  const opened = await openFeatureEncoder(ENCODER, 1);
  features = await featuresOf(texts, opened.encoder, opened.encoderHash, '');
  descriptions = await describeLabels(scheme, opened.encoder);
  closeEncoder = opened.release;
}, 120_000);
afterAll(() => closeEncoder());

function taught(): { learner: Learner; decisions: Decision[] } {
  const learner = new Learner(scheme, descriptions, features);
  const decisions = [0, 1, 2, 3, 4].map((doc) => ({ doc, labels: labels[doc] as string[] }));
  for (let n = 1; n <= decisions.length; n++) learner.train(decisions.slice(0, n));
  return { learner, decisions };
}

const scoresOf = (learner: Learner) => features.map((_, d) => Array.from(learner.score(d)));

describe('learner state', () => {
  it('restores to the same scores and trains on exactly as the original, through bytes too', () => {
    const { learner, decisions } = taught();
    const restored = Learner.fromState(unpackState(packState(learner.exportState())), features);
    expect(scoresOf(restored)).toEqual(scoresOf(learner));
    expect([restored.version, restored.decisionCount]).toEqual([learner.version, learner.decisionCount]);
    const more = [...decisions, { doc: 5, labels: labels[5] as string[] }];
    learner.train(more);
    restored.train(more);
    expect(scoresOf(restored)).toEqual(scoresOf(learner));
    // Documents outside the pool score as they would inside it.
    expect(Array.from(learner.scoreFeatures(features[7] as DocumentFeatures))).toEqual(Array.from(learner.score(7)));
  });

  it('rejects a state of another format', () => {
    const state = { ...taught().learner.exportState(), format: 'other' };
    expect(() => Learner.fromState(state as never)).toThrow('format "other"');
  });
});

describe('taught model folder', () => {
  it('holds everything to classify: the loaded folder gives the learner’s scores, and loadModelFolder points to it', async () => {
    const { learner } = taught();
    const files = await writeTaughtFolder(learner, folderReader(ENCODER), { id: 'hoc-taught-test' });
    expect(Object.keys(files).sort()).toEqual(
      ['README.md', 'encoder.int8.onnx', 'learner.bin', 'model.json', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    const read = async (name: string) => {
      const bytes = files[name];
      if (bytes === undefined) throw new Error(`no file ${name}`);
      return bytes;
    };
    expect(await modelFolderKind(read)).toBe('taught');
    const loaded = await loadTaughtFolder(read);
    expect(loaded.manifest.labels.map((label) => label.threshold)).toEqual(scheme.labels.map(() => 0.5));
    expect(loaded.manifest.learner.decisions).toBe(5);
    await expect(loadModelFolder(read)).rejects.toThrow('open it with loadTaughtFolder');

    // The encoder on the runtime that made the features (the CLI's and the page's: onnxruntime-web's WASM build).
    const web = await import('onnxruntime-web');
    web.env.wasm.numThreads = 1;
    const ort = web as unknown as OrtEncoderModule<object>;
    const wasm = { executionProviders: ['wasm'] };
    const classifier = createTaughtClassifier(loaded, await openEncoderSession(ort, loaded.graph, wasm));
    for (const d of [0, 6, 9]) {
      const result = await classifier.classify(texts[d] as string);
      const expected = learner.score(d);
      scheme.labels.forEach((label, l) => {
        expect(Math.abs((result.scores[label.name] as number) - (expected[l] as number))).toBeLessThan(1e-9);
      });
      expect(result.labels).toEqual(scheme.labels.filter((_, l) => (expected[l] as number) >= 0.5).map((label) => label.name));
      const weights = result.attention[scheme.labels[0]?.name as string] ?? [];
      expect(weights.reduce((sum, [, , w]) => sum + w, 0)).toBeCloseTo(1, 9);
    }

    // openModelFolder (the page's and the CLI's one path) opens it as a taught model, on its int8 encoder only.
    const sessions = {
      openSession: ortSessionFactory((await import('onnxruntime-node')) as never, { intraOpNumThreads: 1 }),
      openEncoder: (graph: Uint8Array) => openEncoderSession(ort, graph, wasm),
    };
    const opened = await openModelFolder(read, 'int8', sessions);
    expect([opened.kind, opened.graphFile]).toEqual(['taught', 'encoder.int8.onnx']);
    expect((await opened.classifier.classify(texts[6] as string)).scores).toEqual((await classifier.classify(texts[6] as string)).scores);
    await expect(openModelFolder(read, 'fp16', sessions)).rejects.toThrow(/field "files.fp16".*int8 graph only/);
    await Promise.all([classifier.dispose(), opened.classifier.dispose()]);
  });

  it('names the file and field of a broken folder', async () => {
    const files = await writeTaughtFolder(taught().learner, folderReader(ENCODER), { id: 'broken' });
    const manifest = JSON.parse(new TextDecoder().decode(files['model.json']));
    const withManifest = (json: unknown, extra: Record<string, Uint8Array> = {}) => {
      const map: Record<string, Uint8Array> = { ...files, 'model.json': new TextEncoder().encode(JSON.stringify(json)), ...extra };
      return async (name: string) => map[name] ?? Promise.reject(new Error('missing'));
    };
    await expect(loadTaughtFolder(withManifest({ ...manifest, hidden_size: 8 }))).rejects.toThrow('field "hidden_size"');
    await expect(loadTaughtFolder(withManifest({ ...manifest, labels: manifest.labels.slice(1) }))).rejects.toThrow('field "labels"');
    const truncated = withManifest(manifest, { 'learner.bin': (files['learner.bin'] as Uint8Array).slice(0, 100) });
    await expect(loadTaughtFolder(truncated)).rejects.toBeInstanceOf(ModelFolderError);
  });
});
