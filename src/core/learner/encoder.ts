/** The encoder folder (model.json "kind": "encoder"): the pretrained encoder's per-token hidden states. */
import { ModelFolderError } from '../manifest';
import { type ReadModelFile, readGraph, readJson } from '../model-folder';
import { WordPieceTokenizer } from '../tokenizer';

export interface EncoderManifest {
  id: string;
  version: string;
  kind: 'encoder';
  hiddenSize: number;
  /** Tokens per sequence, [CLS] and [SEP] included. */
  maxLength: number;
  graphFile: string;
}

/** Runs a batch of sequences ([CLS] ... [SEP], padded with 0 and masked) and returns hidden states
 * [batch, seq, hidden] row-major. */
export interface EncoderSession {
  run(inputIds: BigInt64Array, attentionMask: BigInt64Array, batch: number, seq: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface LoadedEncoder {
  manifest: EncoderManifest;
  tokenizer: WordPieceTokenizer;
  graph: Uint8Array;
}

/** model.json (or another JSON file of the folder) as an object. */
export async function readJsonObject(read: ReadModelFile, file: string): Promise<Record<string, unknown>> {
  const parsed = await readJson(read, file);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ModelFolderError(file, undefined, 'expected a JSON object');
  return parsed as Record<string, unknown>;
}

export async function loadEncoderFolder(read: ReadModelFile): Promise<LoadedEncoder> {
  const json = await readJsonObject(read, 'model.json');
  const fail = (field: string, detail: string): never => {
    throw new ModelFolderError('model.json', field, detail);
  };
  if (json.kind !== 'encoder') fail('kind', 'expected "encoder" (a classifier folder cannot start a taught scheme)');
  const positive = (value: unknown, field: string): number =>
    typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fail(field, 'expected a positive integer');
  const files = json.files as Record<string, unknown> | undefined;
  const graphFile = typeof files?.int8 === 'string' ? files.int8 : fail('files.int8', 'expected the int8 graph file name');
  const manifest: EncoderManifest = {
    id: typeof json.id === 'string' ? json.id : fail('id', 'expected a string'),
    version: typeof json.version === 'string' ? json.version : fail('version', 'expected a string'),
    kind: 'encoder',
    hiddenSize: positive(json.hidden_size, 'hidden_size'),
    maxLength: positive(json.max_length, 'max_length'),
    graphFile,
  };
  const tokenizer = new WordPieceTokenizer(await readJson(read, 'tokenizer.json'), await readJson(read, 'tokenizer_config.json'));
  return { manifest, tokenizer, graph: await readGraph(read, graphFile) };
}

interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** The part of onnxruntime-web / onnxruntime-node the encoder session uses. */
export interface OrtEncoderModule<SessionOptions> {
  InferenceSession: {
    create(
      model: Uint8Array,
      options?: SessionOptions,
    ): Promise<{ run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>; release(): Promise<void> }>;
  };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => OrtTensorLike;
}

export async function openEncoderSession<SessionOptions>(
  ort: OrtEncoderModule<SessionOptions>,
  graph: Uint8Array,
  options?: SessionOptions,
): Promise<EncoderSession> {
  const session = await ort.InferenceSession.create(graph, options);
  return {
    async run(inputIds, attentionMask, batch, seq) {
      const dims = [batch, seq];
      const outputs = await session.run({
        input_ids: new ort.Tensor('int64', inputIds, dims),
        attention_mask: new ort.Tensor('int64', attentionMask, dims),
      });
      const hidden = outputs.hidden_states;
      if (hidden === undefined || !(hidden.data instanceof Float32Array))
        throw new Error('encoder graph: output "hidden_states" missing or not float32');
      return hidden.data;
    },
    release: () => session.release(),
  };
}
