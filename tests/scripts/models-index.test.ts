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
        version: '1.0.0',
        task: 'single_label',
        labelCount: 2,
        files: { 'model.int8.onnx': 5, 'model.json': expect.any(Number) },
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
