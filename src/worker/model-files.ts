/**
 * Downloads the files of a model folder with byte progress and keeps them in the Cache Storage API,
 * so a second visit reads them from the cache instead of the network, and works offline (the service worker does
 * not precache model graphs). Entries are keyed by model version: a new version never mixes with the old one's
 * files, whose entries go once the new file is stored.
 */

import { errorMessage } from '../core/errors';

const cacheName = 'labelwise-models-v1';

export interface FileProgress {
  file: string;
  loaded: number;
  /** Expected size in bytes; 0 while unknown. */
  total: number;
  fromCache: boolean;
  done: boolean;
}

/** An error that names the model file it is about, so the UI can say which file is missing or broken. */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ModelFileError';
  }
}

async function openCache(): Promise<Cache | undefined> {
  // Cache Storage only exists in secure contexts (https, localhost, 127.0.0.1); elsewhere we just download.
  if (typeof caches === 'undefined') return undefined;
  try {
    return await caches.open(cacheName);
  } catch {
    return undefined;
  }
}

function fileUrl(baseUrl: string, file: string): string {
  return new URL(file, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
}

function cacheKey(url: string, version: string | undefined): string {
  return version ? `${url}?v=${encodeURIComponent(version)}` : url;
}

/** Drops the entries of `url` stored for other model versions (or before entries had one). */
async function dropOtherVersions(cache: Cache, url: string, key: string): Promise<void> {
  for (const request of await cache.keys()) {
    if ((request.url === url || request.url.startsWith(`${url}?v=`)) && request.url !== key) await cache.delete(request);
  }
}

async function readWithProgress(response: Response, onBytes: (loaded: number) => void): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onBytes(loaded);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Returns the bytes of `baseUrl/file`, from the cache when a complete copy is there.
 * `expectedBytes` (from models/index.json) catches truncated downloads and stale cache entries.
 */
export async function fetchModelFile(
  baseUrl: string,
  file: string,
  expectedBytes: number | undefined,
  onProgress: (progress: FileProgress) => void,
  version?: string,
): Promise<Uint8Array> {
  const url = fileUrl(baseUrl, file);
  const key = cacheKey(url, version);
  const cache = await openCache();
  const cached = await cache?.match(key);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    if (expectedBytes === undefined || bytes.byteLength === expectedBytes) {
      onProgress({ file, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true, done: true });
      return bytes;
    }
    await cache?.delete(key);
  }

  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelFileError(file, `could not be downloaded (${errorMessage(error)})`);
  }
  if (!response.ok) throw new ModelFileError(file, `could not be downloaded (HTTP ${response.status})`);
  const total = expectedBytes ?? Number(response.headers.get('content-length') ?? 0);
  onProgress({ file, loaded: 0, total, fromCache: false, done: false });
  const bytes = await readWithProgress(response, (loaded) => onProgress({ file, loaded, total, fromCache: false, done: false }));
  if (expectedBytes !== undefined && bytes.byteLength !== expectedBytes) {
    throw new ModelFileError(file, `is incomplete (${bytes.byteLength} of ${expectedBytes} bytes)`);
  }
  onProgress({ file, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: false, done: true });
  // The cache gets the file only once it is complete; validation of the content happens in the caller.
  if (cache) {
    await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'Content-Length': String(bytes.byteLength) } }));
    await dropOtherVersions(cache, url, key);
  }
  return bytes;
}

/** Drops a file from the cache, used when its content turned out to be unusable. */
export async function forgetModelFile(baseUrl: string, file: string, version?: string): Promise<void> {
  await (await openCache())?.delete(cacheKey(fileUrl(baseUrl, file), version));
}

/** The files of a model folder the app needs (graphs, model.json, tokenizer, a taught model's learner.bin), by name. */
export function neededFiles(files: Record<string, number>): string[] {
  return Object.keys(files).filter((file) => file.endsWith('.onnx') || file.endsWith('.json') || file.endsWith('.bin'));
}

/** Which of the folder's needed files have a complete copy of this version in the cache. */
export async function cachedModelFiles(baseUrl: string, version: string, files: Record<string, number>): Promise<string[]> {
  const cache = await openCache();
  if (!cache) return [];
  const found: string[] = [];
  for (const file of neededFiles(files)) {
    const cached = await cache.match(cacheKey(fileUrl(baseUrl, file), version));
    if (cached && Number(cached.headers.get('Content-Length')) === files[file]) found.push(file);
  }
  return found;
}

/** Downloads every needed file of the folder (both graphs included) into the cache, ahead of going offline. */
export async function saveModelForOffline(
  baseUrl: string,
  version: string,
  files: Record<string, number>,
  onProgress: (progress: FileProgress) => void,
): Promise<void> {
  for (const file of neededFiles(files)) await fetchModelFile(baseUrl, file, files[file], onProgress, version);
}
