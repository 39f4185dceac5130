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

async function readJson(read: ReadModelFile, file: string): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await read(file);
  } catch (error) {
    throw new ModelFolderError(file, undefined, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelFolderError(file, undefined, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Loads and validates model.json, the tokenizer and the ONNX graph of the requested precision. */
export async function loadModelFolder(read: ReadModelFile, options: LoadOptions = {}): Promise<LoadedModel> {
  const manifest = parseManifest(await readJson(read, 'model.json'));
  const precision = options.precision ?? 'int8';
  const graphFile = manifest.files[precision];
  if (graphFile === undefined) {
    const available = Object.keys(manifest.files).join(', ');
    throw new ModelFolderError('model.json', `files.${precision}`, `no ${precision} graph listed (available: ${available})`);
  }
  const [tokenizerJson, tokenizerConfig] = await Promise.all([readJson(read, 'tokenizer.json'), readJson(read, 'tokenizer_config.json')]);
  const tokenizer = new WordPieceTokenizer(tokenizerJson, tokenizerConfig);
  let graph: Uint8Array;
  try {
    graph = await read(graphFile);
  } catch (error) {
    throw new ModelFolderError(graphFile, undefined, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (graph.byteLength === 0) throw new ModelFolderError(graphFile, undefined, 'is empty');
  return { manifest, tokenizer, precision, graphFile, graph };
}
