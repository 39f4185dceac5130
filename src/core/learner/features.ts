/**
 * What the encoder computes once per document and the learner keeps (IndexedDB in the page, a disk cache in the
 * CLI): one mean-pooled, L2-normalised vector per sentence, int8 with one scale per sentence, and the document's
 * hashed word unigrams and bigrams with their counts. Training never runs the encoder again.
 */
import type { WordPieceTokenizer } from '../tokenizer';
import type { EncoderSession } from './encoder';

/** Hashed lexical features live in this many buckets (collisions are rare enough to ignore for a linear model). */
export const LEXICAL_BUCKETS = 1 << 18;

export interface DocumentFeatures {
  /** [start, end) of each sentence in the text, UTF-16 code units. */
  spans: Uint32Array;
  /** [sentences, hidden] int8; a sentence's vector is its row times its scale. */
  vectors: Int8Array;
  scales: Float32Array;
  /** Sorted hashed unigram/bigram buckets and their counts. */
  terms: Uint32Array;
  counts: Uint16Array;
}

const SENTENCE_END = /[.!?](?=\s+["'([]?[A-Z0-9])|\n\s*\n?/g;

/** Sentence spans: a break after . ! ? before a capital or digit, and at line breaks; blank pieces dropped. */
export function splitSentences(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const push = (start: number, end: number) => {
    while (start < end && /\s/.test(text[start] as string)) start++;
    while (end > start && /\s/.test(text[end - 1] as string)) end--;
    if (end > start) spans.push([start, end]);
  };
  let start = 0;
  for (const match of text.matchAll(SENTENCE_END)) {
    const end = (match.index as number) + (match[0].startsWith('\n') ? 0 : 1);
    push(start, end);
    start = end;
  }
  push(start, text.length);
  return spans;
}

/** FNV-1a of a string, as an unsigned 32-bit integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Lower-cased word unigrams and bigrams, hashed into LEXICAL_BUCKETS, with counts. */
export function lexicalTerms(text: string): { terms: Uint32Array; counts: Uint16Array } {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const counts = new Map<number, number>();
  const add = (term: string) => {
    const bucket = fnv1a(term) % LEXICAL_BUCKETS;
    counts.set(bucket, Math.min(65535, (counts.get(bucket) ?? 0) + 1));
  };
  for (let i = 0; i < words.length; i++) {
    add(words[i] as string);
    if (i > 0) add(`${words[i - 1]} ${words[i]}`);
  }
  const terms = Uint32Array.from(counts.keys()).sort();
  return { terms, counts: Uint16Array.from(terms, (term) => counts.get(term) as number) };
}

/** Mean-pools and L2-normalises each row's real tokens of [batch, seq, hidden] states. */
function poolRows(states: Float32Array, lengths: number[], seq: number, hidden: number): Float32Array[] {
  return lengths.map((length, row) => {
    const pooled = new Float32Array(hidden);
    for (let token = 0; token < length; token++) {
      const offset = (row * seq + token) * hidden;
      for (let k = 0; k < hidden; k++) pooled[k] = (pooled[k] as number) + (states[offset + k] as number);
    }
    let norm = 0;
    for (let k = 0; k < hidden; k++) norm += (pooled[k] as number) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < hidden; k++) pooled[k] = (pooled[k] as number) / norm;
    return pooled;
  });
}

export interface FeatureEncoder {
  tokenizer: WordPieceTokenizer;
  session: EncoderSession;
  hiddenSize: number;
  maxLength: number;
}

/** Encodes texts (each one sequence, cut to maxLength) and returns their mean-pooled unit vectors. */
export async function embedTexts(encoder: FeatureEncoder, texts: string[]): Promise<Float32Array[]> {
  const { tokenizer, session, hiddenSize, maxLength } = encoder;
  const rows = texts.map((text) => [tokenizer.clsId, ...tokenizer.encode(text).ids.slice(0, maxLength - 2), tokenizer.sepId]);
  const out: Float32Array[] = [];
  // Batches of similar lengths waste little on padding; 16 rows keep memory small.
  for (let first = 0; first < rows.length; first += 16) {
    const batch = rows.slice(first, first + 16);
    const seq = Math.max(...batch.map((row) => row.length));
    const ids = new BigInt64Array(batch.length * seq);
    const mask = new BigInt64Array(batch.length * seq);
    batch.forEach((row, r) => {
      row.forEach((id, t) => {
        ids[r * seq + t] = BigInt(id);
        mask[r * seq + t] = 1n;
      });
    });
    const states = await session.run(ids, mask, batch.length, seq);
    out.push(
      ...poolRows(
        states,
        batch.map((row) => row.length),
        seq,
        hiddenSize,
      ),
    );
  }
  return out;
}

/** A long sentence is cut into pieces the encoder can take whole. */
function encodableSpans(text: string, encoder: FeatureEncoder): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const capacity = encoder.maxLength - 2;
  for (const [start, end] of splitSentences(text)) {
    const encoding = encoder.tokenizer.encode(text.slice(start, end));
    if (encoding.ids.length <= capacity) {
      spans.push([start, end]);
      continue;
    }
    for (let first = 0; first < encoding.ids.length; first += capacity) {
      const last = Math.min(first + capacity, encoding.ids.length) - 1;
      spans.push([start + (encoding.starts[first] as number), start + (encoding.ends[last] as number)]);
    }
  }
  return spans;
}

export async function extractFeatures(text: string, encoder: FeatureEncoder): Promise<DocumentFeatures> {
  const spans = encodableSpans(text, encoder);
  const pooled = await embedTexts(
    encoder,
    spans.map(([start, end]) => text.slice(start, end)),
  );
  const hidden = encoder.hiddenSize;
  const vectors = new Int8Array(spans.length * hidden);
  const scales = new Float32Array(spans.length);
  pooled.forEach((vector, s) => {
    let peak = 0;
    for (const value of vector) peak = Math.max(peak, Math.abs(value));
    const scale = peak / 127 || 1;
    scales[s] = scale;
    for (let k = 0; k < hidden; k++) vectors[s * hidden + k] = Math.round((vector[k] as number) / scale);
  });
  return { spans: Uint32Array.from(spans.flat()), vectors, scales, ...lexicalTerms(text) };
}

/** The stored form: a small header, then each array's bytes (little-endian, as typed arrays are everywhere). */
export function serializeFeatures(features: DocumentFeatures): Uint8Array {
  const parts = [features.spans, features.scales, features.terms, features.counts, features.vectors];
  const header = Uint32Array.from([
    features.scales.length,
    features.terms.length,
    features.vectors.length / Math.max(1, features.scales.length),
  ]);
  const total = header.byteLength + parts.reduce((sum, part) => sum + part.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of [header, ...parts]) {
    bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), offset);
    offset += part.byteLength;
  }
  return bytes;
}

export function deserializeFeatures(bytes: Uint8Array): DocumentFeatures {
  const copy = bytes.slice().buffer; // aligned
  const [sentences, termCount, hidden] = new Uint32Array(copy, 0, 3) as unknown as [number, number, number];
  let offset = 12;
  const take = <T>(make: (offset: number) => T, byteLength: number): T => {
    const value = make(offset);
    offset += byteLength;
    return value;
  };
  const spans = take((at) => new Uint32Array(copy, at, sentences * 2), sentences * 8);
  const scales = take((at) => new Float32Array(copy, at, sentences), sentences * 4);
  const terms = take((at) => new Uint32Array(copy, at, termCount), termCount * 4);
  const counts = take((at) => new Uint16Array(copy, at, termCount), termCount * 2);
  const vectors = take((at) => new Int8Array(copy, at, sentences * hidden), sentences * hidden);
  return { spans, vectors, scales, terms, counts };
}
