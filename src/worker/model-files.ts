/**
 * Downloads the files of a model folder with byte progress and keeps them in the Cache Storage API,
 * so a second visit reads them from the cache instead of the network.
 */

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
): Promise<Uint8Array> {
  const url = new URL(file, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
  const cache = await openCache();
  const cached = await cache?.match(url);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    if (expectedBytes === undefined || bytes.byteLength === expectedBytes) {
      onProgress({ file, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true, done: true });
      return bytes;
    }
    await cache?.delete(url);
  }

  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelFileError(file, `could not be downloaded (${(error as Error).message})`);
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
  await cache?.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'Content-Length': String(bytes.byteLength) } }));
  return bytes;
}

/** Drops a file from the cache, used when its content turned out to be unusable. */
export async function forgetModelFile(baseUrl: string, file: string): Promise<void> {
  const url = new URL(file, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
  await (await openCache())?.delete(url);
}
