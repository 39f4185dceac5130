/** Pieces the CLI commands share: option parsing, loading a model folder on onnxruntime-node, JSONL input. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Classifier, isPrecision, openModelFolder, ortSessionFactory, type Precision } from '../core';
import { errorMessage } from '../core/errors';
import {
  type DocumentFeatures,
  deserializeFeatures,
  type EncoderSession,
  extractFeatures,
  type FeatureEncoder,
  type LoadedTaught,
  loadEncoderFolder,
  type OrtEncoderModule,
  openEncoderSession,
  serializeFeatures,
} from '../core/learner';

/** Exit code for usage errors and unusable inputs (a model folder that won't load, a missing file). */
export const USAGE_ERROR = 2;

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` strictly; unknown options and stray arguments become UsageErrors. */
export function parseOptions<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
}

export function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing required option --${name}`);
  return value;
}

export function parsePrecision(value: string | undefined): Precision {
  const precision = value ?? 'int8';
  if (!isPrecision(precision)) {
    throw new UsageError(`--precision must be int8, fp32 or fp16 (got "${precision}")`);
  }
  return precision;
}

export function parseThreads(value: string | undefined): number {
  if (value === undefined) return os.availableParallelism();
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer (got "${value}")`);
  return threads;
}

/** The options of the commands that run a model (classify, eval). */
export const modelOptions = {
  model: { type: 'string' },
  precision: { type: 'string' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** modelOptions' lines of the usage text. */
export const MODEL_OPTIONS_USAGE = `  --model DIR        model folder (model.json, tokenizer.json, ONNX graph)
  --precision P      graph to run: int8 (default, fastest), fp16 (fp16 weights, fp32 arithmetic) or fp32
  --threads N        ONNX Runtime intra-op threads (default: all cores)
`;

export interface ModelSettings {
  model: string;
  precision: Precision;
  threads: number;
}

export function modelSettings(values: { model?: string; precision?: string; threads?: string }): ModelSettings {
  return {
    model: requireOption(values.model, 'model'),
    precision: parsePrecision(values.precision),
    threads: parseThreads(values.threads),
  };
}

interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Parses a command's arguments with `parse` (undefined: --help was given, so `usage` goes to stdout); a UsageError
 * goes to stderr with the usage. Returns the options, or the exit code the command returns instead.
 */
export function parseCommand<T>(command: string, usage: string, parse: () => T | undefined, output: Output = process): T | number {
  try {
    const options = parse();
    if (options !== undefined) return options;
    output.stdout.write(usage);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.stderr.write(`labelwise ${command}: ${error.message}\n\n${usage}`);
    return USAGE_ERROR;
  }
}

/** openClassifier, or undefined after saying on stderr which model folder failed and why. */
export async function openClassifierFor(command: string, settings: ModelSettings): Promise<Classifier | undefined> {
  try {
    return await openClassifier(settings.model, settings.precision, settings.threads);
  } catch (error) {
    process.stderr.write(`labelwise ${command}: model folder ${settings.model}: ${errorMessage(error)}\n`);
    return undefined;
  }
}

/** onnxruntime-node's CPU session options for the CLI. */
export function cpuSessionOptions(threads: number) {
  return { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1 } as const;
}

/**
 * The pretrained encoder of taught schemes (simulate's features, a taught folder's classify) runs on onnxruntime-web's
 * WASM build, the page's runtime, not onnxruntime-node: the learner carries the int8 kernels' rounding further than a
 * fine-tuned model does (the two runtimes differ by up to 2e-3 in a taught model's probabilities), and the CLI must give
 * the page's scores (docs/model-contract.md).
 */
const ENCODER_RUNTIME = 'onnxruntime-web/wasm';

/** The feature cache's key for an encoder graph (with the runtime: another runtime's features differ a little). */
export function encoderCacheKey(graph: Uint8Array): string {
  return createHash('sha256').update(ENCODER_RUNTIME).update('\0').update(graph).digest('hex');
}

/** Where the feature cache keeps one text's features. */
export function featureCacheFile(cache: string, encoderHash: string, text: string): string {
  return path.join(cache, `${createHash('sha256').update(encoderHash).update('\0').update(text).digest('hex')}.bin`);
}

async function openEncoderOnWasm(graph: Uint8Array, threads: number): Promise<EncoderSession> {
  const web = await import('onnxruntime-web');
  web.env.wasm.numThreads = threads;
  return openEncoderSession(web as unknown as OrtEncoderModule<object>, graph, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
}

/** Loads a model folder and opens it on onnxruntime-node (CPU); a taught folder's encoder on WASM (above). */
export async function openClassifier(folder: string, precision: Precision, threads: number): Promise<Classifier> {
  const ort = await import('onnxruntime-node');
  const options = cpuSessionOptions(threads);
  const opened = await openModelFolder((name: string) => readFile(path.join(folder, name)), precision, {
    openSession: ortSessionFactory(ort, options),
    openEncoder: (graph) => openEncoderOnWasm(graph, threads),
  });
  return opened.classifier;
}

export interface InputRecord {
  line: number;
  record: Record<string, unknown>;
  /** Set when the line was not valid UTF-8: its bad bytes were read as U+FFFD. */
  invalidUtf8?: true;
}

export type InputLine = InputRecord | { line: number; error: string };

export interface JsonLinesOptions {
  /** A longer line is reported and skipped as it streams past, without being held in memory or parsed. */
  maxLineBytes?: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** JSON Lines, numbered from 1; blank lines are skipped, a bad line yields an error and reading goes on. */
export async function* readJsonLines(input: Readable, options: JsonLinesOptions = {}): AsyncGenerator<InputLine> {
  const maxLineBytes = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
  let line = 1;
  let parts: Buffer[] = [];
  let bytes = 0;
  let tooLong = false;

  function finishLine(): InputLine | undefined {
    const number = line++;
    const joined = Buffer.concat(parts);
    const wasTooLong = tooLong;
    [parts, bytes, tooLong] = [[], 0, false];
    if (wasTooLong) return { line: number, error: `line longer than ${maxLineBytes.toLocaleString('en')} bytes; skipped` };
    const raw = joined.at(-1) === 13 ? joined.subarray(0, -1) : joined;
    let text: string;
    let invalidUtf8 = false;
    try {
      text = strictUtf8.decode(raw);
    } catch {
      text = lenientUtf8.decode(raw);
      invalidUtf8 = true;
    }
    if (text.trim() === '') return undefined;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      return { line: number, error: `invalid JSON (${errorMessage(error)})` };
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) return { line: number, error: 'expected a JSON object' };
    return { line: number, record: record as Record<string, unknown>, ...(invalidUtf8 ? { invalidUtf8: true as const } : {}) };
  }

  function take(chunk: Buffer): void {
    if (tooLong) return;
    bytes += chunk.byteLength;
    if (bytes > maxLineBytes) {
      tooLong = true;
      parts = [];
    } else parts.push(chunk);
  }

  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
      take(chunk.subarray(start, end));
      const done = finishLine();
      if (done) yield done;
      start = end + 1;
    }
    if (start < chunk.byteLength) take(chunk.subarray(start));
  }
  if (bytes > 0 || tooLong) {
    const done = finishLine();
    if (done) yield done;
  }
}

/** The `text` field, with a message naming the field when it is missing or not a string. */
export function recordText(record: Record<string, unknown>): string {
  if (typeof record.text !== 'string') throw new Error('field "text": expected a string');
  return record.text;
}

/** Writes to a stream, waiting when its buffer is full so huge outputs don't pile up in memory. */
export async function writeLine(stream: NodeJS.WritableStream, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

/** Features from the cache when the same encoder already saw the same text, else from the encoder. */
export async function featuresOf(
  texts: string[],
  encoder: FeatureEncoder,
  encoderHash: string,
  cache: string,
): Promise<DocumentFeatures[]> {
  if (cache !== '') await mkdir(cache, { recursive: true });
  const out: DocumentFeatures[] = [];
  for (const text of texts) {
    const file = cache === '' ? '' : featureCacheFile(cache, encoderHash, text);
    if (file !== '') {
      const cached = await readFile(file).catch(() => null);
      if (cached !== null) {
        out.push(deserializeFeatures(cached));
        continue;
      }
    }
    const features = await extractFeatures(text, encoder);
    if (file !== '') await writeFile(file, serializeFeatures(features));
    out.push(features);
  }
  return out;
}

export interface OpenedEncoder {
  encoder: FeatureEncoder;
  /** sha256 of the runtime and the graph: the feature cache's key, with the text. */
  encoderHash: string;
  release: () => Promise<void>;
}

/** Opens an encoder folder (or a taught folder's copy of its encoder) on onnxruntime-node (CPU). */
export async function openFeatureEncoder(folder: string | LoadedTaught, threads: number): Promise<OpenedEncoder> {
  const loaded =
    typeof folder === 'string'
      ? await loadEncoderFolder((name: string) => readFile(path.join(folder, name)))
      : {
          tokenizer: folder.tokenizer,
          graph: folder.graph,
          manifest: { hiddenSize: folder.manifest.hidden_size, maxLength: folder.manifest.max_length },
        };
  const session = await openEncoderOnWasm(loaded.graph, threads);
  return {
    encoder: { tokenizer: loaded.tokenizer, session, hiddenSize: loaded.manifest.hiddenSize, maxLength: loaded.manifest.maxLength },
    encoderHash: encoderCacheKey(loaded.graph),
    release: () => session.release(),
  };
}
