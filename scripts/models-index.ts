/**
 * Writes public/models/index.json: the list of shipped model folders the model picker offers.
 * Run by the Vite plugin in vite.config.ts (dev start and build) and usable on its own:
 *   npx tsx scripts/models-index.ts
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../src/core/errors';

export interface ModelIndexEntry {
  id: string;
  /** "taught": a learner over the pretrained encoder (exported by Teach, docs/model-contract.md); "classifier": a
   * fine-tuned label-attention folder. */
  kind: 'classifier' | 'taught';
  version: string;
  task: string;
  labelCount: number;
  /** Every file of the folder with its size in bytes, so the app can show sizes before downloading. */
  files: Record<string, number>;
}

export interface ModelIndex {
  models: ModelIndexEntry[];
}

interface ManifestFields {
  id?: unknown;
  version?: unknown;
  task?: unknown;
  labels?: unknown;
  kind?: unknown;
}

export function buildModelIndex(modelsDir: string): ModelIndex {
  if (!existsSync(modelsDir)) return { models: [] };
  const models: ModelIndexEntry[] = [];
  for (const folder of readdirSync(modelsDir).sort()) {
    const dir = join(modelsDir, folder);
    const manifestPath = join(dir, 'model.json');
    if (!statSync(dir).isDirectory() || !existsSync(manifestPath)) continue;
    let manifest: ManifestFields;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestFields;
    } catch (error) {
      // One broken folder must not hide the others; say which file is wrong.
      console.warn(`[models-index] skipping ${manifestPath}: ${errorMessage(error)}`);
      continue;
    }
    // An encoder folder (kind "encoder") is what taught schemes learn on: it has no labels, so the picker skips it.
    // A taught folder (unzipped from Teach's Export model) classifies, so it is listed with its kind.
    if (manifest.kind === 'encoder') continue;
    if (manifest.kind !== undefined && manifest.kind !== 'taught') {
      console.warn(`[models-index] skipping ${manifestPath}: unknown kind ${JSON.stringify(manifest.kind)}`);
      continue;
    }
    const files: Record<string, number> = {};
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isFile()) files[name] = statSync(path).size;
    }
    models.push({
      // The folder name is the URL the app loads, so it is the id the picker uses.
      id: folder,
      kind: manifest.kind === 'taught' ? 'taught' : 'classifier',
      version: typeof manifest.version === 'string' ? manifest.version : '',
      task: typeof manifest.task === 'string' ? manifest.task : 'multi_label',
      labelCount: Array.isArray(manifest.labels) ? manifest.labels.length : 0,
      files,
    });
  }
  return { models };
}

/** Writes the index only when it changed, so dev-server file watchers don't loop. */
export function writeModelIndex(modelsDir: string): ModelIndex {
  const index = buildModelIndex(modelsDir);
  const target = join(modelsDir, 'index.json');
  const text = `${JSON.stringify(index, null, 2)}\n`;
  const previous = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (previous !== text) {
    mkdirSync(modelsDir, { recursive: true });
    writeFileSync(target, text);
  }
  return index;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const index = writeModelIndex(resolve('public/models'));
  console.log(`public/models/index.json: ${index.models.map((m) => m.id).join(', ') || '(no models)'}`);
}
