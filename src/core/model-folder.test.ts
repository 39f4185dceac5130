import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { folderReader, REPO_ROOT, testModelFolder } from '../cli/testing';
import { ModelFolderError, parseManifest } from './manifest';
import { loadModelFolder } from './model-folder';

const valid = {
  id: 'm',
  version: '1.0.0',
  task: 'multi_label',
  encoder: { name: 'all-MiniLM-L6-v2' },
  max_length: 512,
  window: { length: 512, stride: 384 },
  labels: [
    { name: 'A', description: 'a', threshold: 0.4 },
    { name: 'B', description: 'b', threshold: 0.5 },
  ],
  files: { int8: 'model.int8.onnx' },
};

function errorOf(content: unknown): ModelFolderError {
  try {
    parseManifest(content);
  } catch (error) {
    if (error instanceof ModelFolderError) return error;
    throw error;
  }
  throw new Error('expected parseManifest to throw');
}

describe('parseManifest', () => {
  it('accepts a valid manifest', () => {
    const manifest = parseManifest(valid);
    expect(manifest.labels.map((label) => label.name)).toEqual(['A', 'B']);
    expect(manifest.window).toEqual({ length: 512, stride: 384 });
  });

  it.each([
    [{ ...valid, task: 'regression' }, 'task', 'model.json: field "task": expected "multi_label" or "single_label"'],
    [{ ...valid, labels: [] }, 'labels', 'model.json: field "labels": expected a non-empty array'],
    [{ ...valid, labels: [{ name: 'A', threshold: 1.5 }] }, 'labels[0].threshold', 'expected a number between 0 and 1'],
    [{ ...valid, labels: [valid.labels[0], valid.labels[0]] }, 'labels[1].name', 'duplicate label "A"'],
    [{ ...valid, window: { length: 512, stride: 0 } }, 'window.stride', 'expected a positive integer'],
    [{ ...valid, window: { length: 1024, stride: 384 } }, 'window.length', 'exceeds max_length (512)'],
    [{ ...valid, window: { length: 512, stride: 511 } }, 'window.stride', 'must be at most window.length - 2'],
    [{ ...valid, files: {} }, 'files', 'names no ONNX graph'],
    [{ ...valid, files: { int8: '../x.onnx' } }, 'files.int8', 'expected a file name inside the model folder'],
    [{ ...valid, encoder: 'minilm' }, 'encoder', 'expected an object'],
    [{ ...valid, id: undefined }, 'id', 'expected a non-empty string'],
    [{ ...valid, borderline: { margin: 0.02, precision: 'fp8' } }, 'borderline.precision', 'expected one of int8, fp32, fp16'],
    [{ ...valid, borderline: { margin: 0.7, precision: 'int8' } }, 'borderline.margin', 'expected a number between 0 and 0.5'],
    [{ ...valid, task: 'single_label', borderline: { margin: 0.02, precision: 'int8' } }, 'borderline', 'multi_label models only'],
  ])('names the bad field (%#)', (content, field, text) => {
    const error = errorOf(content);
    expect(error.file).toBe('model.json');
    expect(error.field).toBe(field);
    expect(error.message).toContain(text);
  });

  it('takes the argmax for single-label sets, whose thresholds export writes as null', () => {
    const labels = valid.labels.map((label) => ({ ...label, threshold: null }));
    expect(parseManifest({ ...valid, task: 'single_label', labels }).labels.map((label) => label.threshold)).toEqual([0.5, 0.5]);
    expect(errorOf({ ...valid, labels }).field).toBe('labels[0].threshold');
  });

  it('keeps a borderline graph only where files lists it', () => {
    const borderline = { margin: 0.02, precision: 'fp16' };
    expect(parseManifest({ ...valid, borderline }).borderline).toBeUndefined();
    expect(parseManifest({ ...valid, borderline, files: { ...valid.files, fp16: 'model.fp16.onnx' } }).borderline).toEqual(borderline);
  });

  it('rejects what is not an object', () => {
    expect(errorOf([1, 2]).message).toBe('model.json: expected a JSON object');
  });
});

describe('loadModelFolder', () => {
  let folder: string | undefined;
  afterEach(async () => {
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  });

  async function copyOfModel(): Promise<string> {
    folder = await mkdtemp(path.join(os.tmpdir(), 'labelwise-model-'));
    const source = testModelFolder();
    const manifest = JSON.parse(await readFile(path.join(source, 'model.json'), 'utf8'));
    for (const name of ['model.json', 'tokenizer.json', 'tokenizer_config.json', manifest.files.int8]) {
      await copyFile(path.join(source, name), path.join(folder, name));
    }
    return folder;
  }

  it('loads the real model folder', async () => {
    const model = await loadModelFolder(folderReader(testModelFolder()));
    expect(model.precision).toBe('int8');
    expect(model.graphFile).toBe(model.manifest.files.int8);
    expect(model.graph.byteLength).toBeGreaterThan(1000);
    expect(model.tokenizer.clsId).toBe(101);
    expect(model.tokenizer.sepId).toBe(102);
  });

  it('loads every shipped classifier folder and refuses the encoder folder by its kind', async () => {
    const shipped = path.join(REPO_ROOT, 'public/models');
    const folders = (await readdir(shipped, { withFileTypes: true })).filter((entry) => entry.isDirectory());
    expect(folders.length).toBeGreaterThan(0);
    for (const entry of folders) {
      const manifest = JSON.parse(await readFile(path.join(shipped, entry.name, 'model.json'), 'utf8')) as { kind?: string };
      if (manifest.kind === 'encoder') {
        await expect(loadModelFolder(folderReader(path.join(shipped, entry.name)))).rejects.toThrow(/field "kind"/);
        continue;
      }
      const model = await loadModelFolder(folderReader(path.join(shipped, entry.name)));
      expect(model.manifest.id).toBe(entry.name);
    }
  });

  it('names a missing file', async () => {
    const dir = await copyOfModel();
    await rm(path.join(dir, 'tokenizer.json'));
    await expect(loadModelFolder(folderReader(dir))).rejects.toThrow(/^tokenizer\.json: cannot be read \(ENOENT/);
  });

  it('names a corrupt JSON file', async () => {
    const dir = await copyOfModel();
    await writeFile(path.join(dir, 'model.json'), '{"id": "m",');
    await expect(loadModelFolder(folderReader(dir))).rejects.toThrow(/^model\.json: is not valid JSON/);
  });

  it('names the graph file when it is missing or empty, and an unlisted precision', async () => {
    const dir = await copyOfModel();
    const manifest = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    await writeFile(path.join(dir, manifest.files.int8), '');
    await expect(loadModelFolder(folderReader(dir))).rejects.toThrow(`${manifest.files.int8}: is empty`);
    await rm(path.join(dir, manifest.files.int8));
    await expect(loadModelFolder(folderReader(dir))).rejects.toThrow(`${manifest.files.int8}: cannot be read`);
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ ...manifest, files: { int8: manifest.files.int8 } }));
    await expect(loadModelFolder(folderReader(dir), { precision: 'fp16' })).rejects.toThrow(
      'model.json: field "files.fp16": no fp16 graph listed (available: int8)',
    );
  });

  it('names the tokenizer field it cannot handle', async () => {
    const dir = await copyOfModel();
    const tokenizer = JSON.parse(await readFile(path.join(dir, 'tokenizer.json'), 'utf8'));
    await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify({ ...tokenizer, model: { ...tokenizer.model, type: 'BPE' } }));
    await expect(loadModelFolder(folderReader(dir))).rejects.toThrow('tokenizer.json: field "model.type": expected "WordPiece"');
  });
});
