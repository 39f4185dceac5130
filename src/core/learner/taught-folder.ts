/**
 * The taught model folder (model.json "kind": "taught", docs/model-contract.md): a scheme's learner with the
 * encoder it was taught on copied in, so the folder alone classifies text. The writer returns a file map; the
 * loader takes the same `read(name)` as the other folders; the classifier gives the shipped models' output shape.
 */
import type { Classification, Classifier, ClassifyOptions } from '../classifier';
import { type LabelSpec, ModelFolderError, type ModelManifest, parseManifest } from '../manifest';
import { type ReadModelFile, readGraph, readJson } from '../model-folder';
import { predictLabels, wordWeights } from '../postprocess';
import { WordPieceTokenizer } from '../tokenizer';
import { type EncoderSession, loadEncoderFolder, readJsonObject } from './encoder';
import { extractFeatures } from './features';
import { LEARNER_FORMAT, Learner, type LearnerState } from './learner';
import { packState, unpackState } from './state';

export const TAUGHT_GRAPH_FILE = 'encoder.int8.onnx';
export const TAUGHT_LEARNER_FILE = 'learner.bin';

export interface TaughtFolderOptions {
  id: string;
  version?: string;
  /** Goes into model.json "trained" (e.g. the session, the export time); decisions and model version are added. */
  trained?: Record<string, unknown>;
}

export interface TaughtManifest extends ModelManifest {
  kind: 'taught';
  hidden_size: number;
  learner: { file: string; format: string; model_version: number; decisions: number };
}

const encodeJson = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** The folder's files, by name: model.json, the encoder's tokenizer files and int8 graph, learner.bin, README.md. */
export async function writeTaughtFolder(
  learner: Learner,
  readEncoder: ReadModelFile,
  options: TaughtFolderOptions,
): Promise<Record<string, Uint8Array>> {
  const encoderJson = await readJsonObject(readEncoder, 'model.json');
  const encoder = await loadEncoderFolder(readEncoder);
  const { scheme } = learner;
  const state = learner.exportState({ training: false });
  const decisions = learner.decisionCount;
  const maxLength = encoder.manifest.maxLength;
  const manifest = {
    id: options.id,
    version: options.version ?? `0.${learner.version}.0`,
    kind: 'taught',
    task: scheme.task,
    encoder: { ...(encoderJson.encoder as object), folder: `${encoder.manifest.id}@${encoder.manifest.version}` },
    hidden_size: encoder.manifest.hiddenSize,
    max_length: maxLength,
    // Each sentence is one encoder sequence (a longer one is cut into pieces): nothing is truncated.
    window: { length: maxLength, stride: maxLength - 2 },
    labels: scheme.labels.map((label) => ({
      name: label.name,
      description: label.description,
      threshold: scheme.task === 'single_label' ? null : 0.5,
    })),
    files: { int8: TAUGHT_GRAPH_FILE },
    learner: { file: TAUGHT_LEARNER_FILE, format: LEARNER_FORMAT, model_version: learner.version, decisions },
    trained: { ...options.trained, decisions, model_version: learner.version },
  };
  const card = [
    `# ${options.id}`,
    '',
    `A taught model (Labelwise Teach): ${scheme.labels.length} label(s), ${scheme.task}, trained on ${decisions} decision(s)`,
    `(model version ${learner.version}) over the frozen pretrained encoder ${encoder.manifest.id} ${encoder.manifest.version}.`,
    'Run it with `labelwise classify --model DIR`. No figures: a taught model is measured on its own decisions only.',
    '',
    ...scheme.labels.map((label) => `- **${label.name}**: ${label.description || '(no description)'}`),
    '',
  ].join('\n');
  return {
    'model.json': encodeJson(manifest),
    'tokenizer.json': await readEncoder('tokenizer.json'),
    'tokenizer_config.json': await readEncoder('tokenizer_config.json'),
    [TAUGHT_GRAPH_FILE]: encoder.graph,
    [TAUGHT_LEARNER_FILE]: packState(state),
    'README.md': new TextEncoder().encode(card),
  };
}

/** What a folder holds, from its model.json: a fine-tuned classifier (loadModelFolder), a taught model
 * (loadTaughtFolder) or the pretrained encoder a scheme is taught on (loadEncoderFolder). */
export async function modelFolderKind(read: ReadModelFile): Promise<'classifier' | 'taught' | 'encoder'> {
  const kind = (await readJsonObject(read, 'model.json')).kind;
  if (kind === undefined) return 'classifier';
  if (kind === 'taught' || kind === 'encoder') return kind;
  throw new ModelFolderError('model.json', 'kind', `unknown kind ${JSON.stringify(kind)} (expected "taught", "encoder" or none)`);
}

export interface LoadedTaught {
  manifest: TaughtManifest;
  /** The learner's state as saved: `Learner.fromState(state, pool)` teaches it on over a pool. */
  state: LearnerState;
  tokenizer: WordPieceTokenizer;
  graph: Uint8Array;
  learner: Learner;
}

/** Loads and checks a taught folder; errors name the file and field. */
export async function loadTaughtFolder(read: ReadModelFile): Promise<LoadedTaught> {
  const json = await readJsonObject(read, 'model.json');
  const base = parseManifest(json);
  const fail = (field: string, detail: string): never => {
    throw new ModelFolderError('model.json', field, detail);
  };
  if (base.kind !== 'taught') fail('kind', 'expected "taught"');
  const hidden = json.hidden_size;
  if (typeof hidden !== 'number' || !Number.isInteger(hidden) || hidden <= 0) fail('hidden_size', 'expected a positive integer');
  const learnerJson = json.learner as Record<string, unknown> | undefined;
  if (typeof learnerJson !== 'object' || learnerJson === null) fail('learner', 'expected an object');
  const file = (learnerJson as Record<string, unknown>).file;
  if (typeof file !== 'string' || file === '' || file.includes('/')) fail('learner.file', 'expected a file name inside the folder');
  if ((learnerJson as Record<string, unknown>).format !== LEARNER_FORMAT) fail('learner.format', `expected "${LEARNER_FORMAT}"`);
  let bytes: Uint8Array;
  try {
    bytes = await read(file as string);
  } catch (error) {
    throw new ModelFolderError(file as string, undefined, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  let learner: Learner;
  let state: LearnerState;
  try {
    state = unpackState(bytes, file as string);
    learner = Learner.fromState(state);
  } catch (error) {
    throw new ModelFolderError(file as string, undefined, error instanceof Error ? error.message : String(error));
  }
  if (state.hidden !== hidden) fail('hidden_size', `is ${hidden} but ${file} was taught on ${state.hidden}-dimensional sentence vectors`);
  const names = learner.scheme.labels.map((label) => label.name);
  if (names.join('\n') !== base.labels.map((label) => label.name).join('\n')) fail('labels', `do not match ${file} (${names.join(', ')})`);
  if (learner.scheme.task !== base.task) fail('task', `does not match ${file} (${learner.scheme.task})`);
  const tokenizer = new WordPieceTokenizer(await readJson(read, 'tokenizer.json'), await readJson(read, 'tokenizer_config.json'));
  const graphFile = base.files.int8 ?? fail('files.int8', 'expected the encoder graph file');
  return {
    manifest: { ...base, kind: 'taught', hidden_size: hidden as number, learner: learnerJson as TaughtManifest['learner'] },
    state,
    tokenizer,
    graph: await readGraph(read, graphFile),
    learner,
  };
}

/** A Classifier over a taught folder: the encoder's features of the text, then the learner's scores. Attention is
 * the learner's sentence attention, each sentence's share spread evenly over its word pieces, summed into words. */
export function createTaughtClassifier(
  model: Pick<LoadedTaught, 'manifest' | 'tokenizer' | 'learner'>,
  session: EncoderSession,
): Classifier {
  const { manifest, tokenizer, learner } = model;
  const encoder = { tokenizer, session, hiddenSize: manifest.hidden_size, maxLength: manifest.max_length };
  const labels: LabelSpec[] = manifest.labels;
  return {
    manifest,
    async classify(text: string, options: ClassifyOptions = {}): Promise<Classification> {
      options.signal?.throwIfAborted();
      const features = await extractFeatures(text, encoder);
      const probs = learner.scoreFeatures(features);
      const scores = Object.fromEntries(labels.map((label, l) => [label.name, probs[l] as number]));
      const encoding = tokenizer.encode(text);
      const sentences = features.scales.length;
      options.onProgress?.({ done: sentences, total: sentences });
      const attention: Classification['attention'] = {};
      if (options.attention ?? true) {
        // Each token's sentence (tokens between sentences, e.g. white space-only pieces, belong to none).
        const sentenceOf = new Int32Array(encoding.ids.length).fill(-1);
        const tokensIn = new Uint32Array(sentences);
        let s = 0;
        for (let t = 0; t < encoding.ids.length; t++) {
          while (s < sentences && (encoding.starts[t] as number) >= (features.spans[2 * s + 1] as number)) s++;
          if (s < sentences && (encoding.starts[t] as number) >= (features.spans[2 * s] as number)) {
            sentenceOf[t] = s;
            tokensIn[s] = (tokensIn[s] as number) + 1;
          }
        }
        labels.forEach((label, l) => {
          const sentenceWeights = learner.attentionFeatures(features, l);
          const tokenWeights = Float64Array.from(sentenceOf, (sentence) =>
            sentence < 0 ? 0 : (sentenceWeights[sentence] as number) / (tokensIn[sentence] as number),
          );
          attention[label.name] = wordWeights(tokenWeights, encoding.words, encoding.starts, encoding.ends);
        });
      }
      return {
        labels: predictLabels(probs, labels, manifest.task),
        scores,
        attention,
        tokens: encoding.ids.length,
        windows: sentences,
        recheck: 'not-needed',
      };
    },
    dispose: () => session.release(),
  };
}
