import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModelIndex, writeModelIndex } from '../../scripts/models-index';

function folder(root: string, id: string, manifest: string, extra: Record<string, string> = {}) {
  mkdirSync(join(root, id));
  writeFileSync(join(root, id, 'model.json'), manifest);
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(root, id, name), content);
}

describe('models index', () => {
  it('lists every model folder with task, label count and file sizes, skipping broken manifests', () => {
    const root = mkdtempSync(join(tmpdir(), 'models-'));
    folder(root, 'b-model', JSON.stringify({ version: '1.0.0', task: 'single_label', labels: [{ name: 'x' }, { name: 'y' }] }), {
      'model.int8.onnx': '12345',
    });
    folder(root, 'a-broken', '{not json');
    mkdirSync(join(root, 'no-manifest'));
    const index = buildModelIndex(root);
    expect(index.models).toEqual([
      {
        id: 'b-model',
        kind: 'classifier',
        version: '1.0.0',
        task: 'single_label',
        labelCount: 2,
        files: { 'model.int8.onnx': 5, 'model.json': expect.any(Number) },
      },
    ]);
  });

  it('lists a taught folder (Teach > Export model, unzipped into the models folder) with its kind and every file, but no encoder folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'models-'));
    folder(
      root,
      'minilm-encoder',
      JSON.stringify({ id: 'minilm-encoder', version: '1.0.0', kind: 'encoder', files: { int8: 'model.int8.onnx' } }),
      {
        'model.int8.onnx': '123',
      },
    );
    const taught = {
      id: 'my-scheme',
      version: '0.4.0',
      kind: 'taught',
      task: 'multi_label',
      labels: [{ name: 'include', threshold: 0.5 }],
    };
    folder(root, 'my-scheme', JSON.stringify(taught), { 'encoder.int8.onnx': '1234', 'learner.bin': '12', 'README.md': '#' });
    folder(root, 'odd', JSON.stringify({ ...taught, kind: 'something-else' }));
    expect(buildModelIndex(root).models).toEqual([
      {
        id: 'my-scheme',
        kind: 'taught',
        version: '0.4.0',
        task: 'multi_label',
        labelCount: 1,
        files: { 'README.md': 1, 'encoder.int8.onnx': 4, 'learner.bin': 2, 'model.json': expect.any(Number) },
      },
    ]);
  });

  it('writes index.json inside the folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'models-'));
    folder(root, 'm', JSON.stringify({ version: '2', task: 'multi_label', labels: [{ name: 'x' }] }));
    writeModelIndex(root);
    expect(JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')).models[0].id).toBe('m');
  });
});
