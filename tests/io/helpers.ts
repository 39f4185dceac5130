import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ImportSource, importAll, type ReadOptions } from '../../src/io';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export function fixturePath(name: string): string {
  return path.join(root, name);
}

/** A fixture file cut into chunks of `size` bytes, as a stream would deliver it. */
export function chunkedFixture(name: string, size = 1 << 16): ImportSource {
  const bytes = new Uint8Array(readFileSync(fixturePath(name)));
  return { chunks: chunkBytes(bytes, size), name: path.basename(name), totalBytes: bytes.byteLength };
}

export function chunkBytes(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

export function importFixture(name: string, options: ReadOptions = {}, chunkSize?: number) {
  return importAll(chunkedFixture(name, chunkSize), options);
}
