/**
 * The file-reading seam: the browser hands over `File.stream()`, Node an `fs.createReadStream`,
 * a paste a string. Everything below this module works on decoded text chunks.
 */
import { ImportFileError } from './issues';

/** The part of a WHATWG ReadableStream we use (File.stream() in browsers without async iteration). */
export interface ReadableByteStreamLike {
  getReader(): {
    read(): Promise<{ done: boolean; value?: Uint8Array | string }>;
    releaseLock(): void;
  };
}

export type ChunkSource = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array> | ReadableByteStreamLike;

export interface ImportSource {
  chunks: ChunkSource;
  /** File name: used for format detection by extension and for default ids. */
  name?: string;
  /** Size in bytes (File.size, fs.stat), for progress. */
  totalBytes?: number;
}

export interface DecodedChunk {
  text: string;
  /** Bytes (or, for string input, UTF-16 code units) consumed so far. */
  bytesRead: number;
}

/** Strings are sliced so pasted text still reports progress and yields to the event loop. */
const STRING_SLICE = 1 << 16;
/** How much of the start is inspected for binary content. */
const SNIFF_BYTES = 8192;

function isReadableStream(source: ChunkSource): source is ReadableByteStreamLike {
  return typeof source === 'object' && source !== null && 'getReader' in source;
}

async function* rawChunks(source: ChunkSource): AsyncGenerator<string | Uint8Array> {
  if (typeof source === 'string') {
    for (let i = 0; i < source.length; i += STRING_SLICE) yield source.slice(i, i + STRING_SLICE);
    return;
  }
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (isReadableStream(source)) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (value !== undefined) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<string | Uint8Array>;
}

/** File signatures of what people drop by mistake, for a message that says what the file is. */
const SIGNATURES: [number[], string][] = [
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an .xlsx or .docx file is one: save it as CSV or text)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Office document (.xls/.doc: save it as CSV or text)'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x1f, 0x8b], 'a gzip archive (decompress it first)'],
];

/** Unicode of the bytes 0x80-0x9F in Windows-1252 (the rest is Latin-1); undefined bytes map to themselves as browsers do. */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

interface ChunkDecoder {
  decode(bytes?: Uint8Array, options?: { stream: boolean }): string;
}

/** Windows-1252 by table: Node's TextDecoder reads this label as ISO-8859-1, which loses “ ” – € and friends. */
const windows1252: ChunkDecoder = {
  decode(bytes = new Uint8Array(0)) {
    const codes = new Uint16Array(bytes.byteLength);
    for (let i = 0; i < bytes.byteLength; i++) {
      const byte = bytes[i] as number;
      codes[i] = byte >= 0x80 && byte <= 0x9f ? (WINDOWS_1252_HIGH[byte - 0x80] as number) : byte;
    }
    let text = '';
    for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode(...codes.subarray(i, i + 8192));
    return text;
  },
};

function refuse(what: string): never {
  throw new ImportFileError(`this looks like ${what}, not a text file`);
}

/** Refuses text that carries NUL characters (binary content, or UTF-16 without a BOM). */
function assertNoNul(text: string): void {
  if (text.includes('\0')) refuse('a binary file (it contains NUL bytes)');
}

function isUtf8(sample: Uint8Array, complete: boolean): boolean {
  const strict = new TextDecoder('utf-8', { fatal: true });
  // The sample may end inside a multi-byte character: allow up to 3 cut-off bytes.
  for (let cut = 0; cut <= (complete ? 0 : 3); cut++) {
    try {
      strict.decode(sample.subarray(0, sample.byteLength - cut));
      return true;
    } catch {
      // try a shorter sample
    }
  }
  return false;
}

/**
 * Picks the decoder from the first bytes: UTF-16 by its BOM, UTF-8 when they are valid UTF-8,
 * else Windows-1252 (what Excel on Windows writes) when that reads as text; refuses binary files.
 */
function decoderFor(start: Uint8Array, complete: boolean): ChunkDecoder {
  if (start[0] === 0xff && start[1] === 0xfe) return new TextDecoder('utf-16le');
  if (start[0] === 0xfe && start[1] === 0xff) return new TextDecoder('utf-16be');
  for (const [signature, what] of SIGNATURES) if (signature.every((byte, i) => start[i] === byte)) refuse(what);
  const sample = start.subarray(0, SNIFF_BYTES);
  if (sample.includes(0)) refuse('a binary file (it contains NUL bytes)');
  if (isUtf8(sample, complete && sample.byteLength === start.byteLength)) return new TextDecoder('utf-8');
  const legacy = windows1252.decode(sample);
  let controls = 0;
  for (let i = 0; i < legacy.length; i++) {
    const code = legacy.charCodeAt(i);
    // C0 controls other than tab and line breaks, DEL, and the five bytes Windows-1252 leaves undefined.
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) || (code >= 0x7f && code <= 0x9f)) controls++;
  }
  if (controls > legacy.length / 100) refuse('a binary file (neither UTF-8 nor Windows-1252 text)');
  return windows1252;
}

/** Decodes a source to text (see decoderFor; a BOM is dropped), refusing binary input. */
export async function* decodeSource(source: ImportSource): AsyncGenerator<DecodedChunk> {
  let decoder: ChunkDecoder | undefined;
  let bytesRead = 0;
  // The first bytes are held back until there are enough to judge the encoding and binary content.
  let head: Uint8Array = new Uint8Array(0);
  const startDecoding = (bytes: Uint8Array, complete: boolean): string => {
    decoder = decoderFor(bytes, complete);
    return decoder.decode(bytes, { stream: true });
  };
  for await (const chunk of rawChunks(source.chunks)) {
    if (typeof chunk === 'string') {
      // Already text: only the first chunk is checked, and a BOM a caller left in is dropped.
      const first = bytesRead === 0;
      bytesRead += chunk.length;
      if (first) assertNoNul(chunk.slice(0, SNIFF_BYTES));
      yield { text: first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk, bytesRead };
      continue;
    }
    bytesRead += chunk.byteLength;
    if (decoder !== undefined) {
      yield { text: decoder.decode(chunk, { stream: true }), bytesRead };
      continue;
    }
    const joined: Uint8Array = new Uint8Array(head.byteLength + chunk.byteLength);
    joined.set(head);
    joined.set(chunk, head.byteLength);
    head = joined;
    if (head.byteLength >= SNIFF_BYTES) yield { text: startDecoding(head, false), bytesRead };
  }
  if (decoder === undefined && head.byteLength > 0) yield { text: startDecoding(head, true), bytesRead };
  const tail = (decoder as ChunkDecoder | undefined)?.decode() ?? '';
  if (tail) yield { text: tail, bytesRead };
}

/** Reads the first `maxChars` characters of a source (for format sniffing and column pickers). */
export async function readStart(source: ImportSource, maxChars = 65536): Promise<string> {
  let text = '';
  for await (const chunk of decodeSource(source)) {
    text += chunk.text;
    if (text.length >= maxChars) break;
  }
  return text;
}
