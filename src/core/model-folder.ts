import { errorMessage } from './errors';
import { ModelFolderError, type ModelManifest, type Precision, parseManifest } from './manifest';
import { WordPieceTokenizer } from './tokenizer';

/** Reads one file of the model folder by name (the file-reading seam: fetch in the browser, fs in Node). */
export type ReadModelFile = (name: string) => Promise<Uint8Array>;

export interface LoadOptions {
  /** Which graph of `files` to load; defaults to int8, the committed one. */
  precision?: Precision;
}

export interface LoadedModel {
  manifest: ModelManifest;
  tokenizer: WordPieceTokenizer;
  precision: Precision;
  /** File name of the graph in the folder. */
  graphFile: string;
  graph: Uint8Array;
}

export async function readJson(read: ReadModelFile, file: string): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await read(file);
  } catch (error) {
    throw new ModelFolderError(file, undefined, `cannot be read (${errorMessage(error)})`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelFolderError(file, undefined, `is not valid JSON (${errorMessage(error)})`);
  }
}

/** Loads and validates model.json, the tokenizer and the ONNX graph of the requested precision. */
export async function loadModelFolder(read: ReadModelFile, options: LoadOptions = {}): Promise<LoadedModel> {
  const manifest = parseManifest(await readJson(read, 'model.json'));
  if (manifest.kind === 'taught')
    throw new ModelFolderError('model.json', 'kind', 'a taught model (a learner over an encoder): open it with loadTaughtFolder');
  const precision = options.precision ?? 'int8';
  const graphFile = manifest.files[precision];
  if (graphFile === undefined) {
    const available = Object.keys(manifest.files).join(', ');
    throw new ModelFolderError('model.json', `files.${precision}`, `no ${precision} graph listed (available: ${available})`);
  }
  const [tokenizerJson, tokenizerConfig] = await Promise.all([readJson(read, 'tokenizer.json'), readJson(read, 'tokenizer_config.json')]);
  const tokenizer = new WordPieceTokenizer(tokenizerJson, tokenizerConfig);
  return { manifest, tokenizer, precision, graphFile, graph: await readGraph(read, graphFile) };
}

/** Reads an ONNX graph of the folder; a missing or empty file is a ModelFolderError naming it. */
export async function readGraph(read: ReadModelFile, file: string): Promise<Uint8Array> {
  let graph: Uint8Array;
  try {
    graph = await read(file);
  } catch (error) {
    throw new ModelFolderError(file, undefined, `cannot be read (${errorMessage(error)})`);
  }
  if (graph.byteLength === 0) throw new ModelFolderError(file, undefined, 'is empty');
  return graph;
}

/** The file of the graph model.json's `borderline` names, where it is not the graph `model` loaded. */
export function borderlineGraphFile(model: Pick<LoadedModel, 'manifest' | 'precision'>): string | undefined {
  const borderline = model.manifest.borderline;
  return borderline && borderline.precision !== model.precision ? model.manifest.files[borderline.precision] : undefined;
}
