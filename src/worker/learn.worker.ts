// Over 300 lines: the learning worker's whole message surface (features, a rebuild from a saved state or the log, training, scores, attention, quality, export) kept together while Teach settles.
/**
 * The learning worker (Teach, issue 19): runs the pretrained encoder once per document (features the page keeps in
 * IndexedDB), scores every document from the label descriptions, and trains the scheme's learner after decisions.
 * Calls run one at a time, in order: a training never sees a learner half rebuilt.
 */
import * as Comlink from 'comlink';
import { type Zippable, zipSync } from 'fflate';
import {
  type Decision,
  type DocumentFeatures,
  describeLabels,
  deserializeFeatures,
  extractFeatures,
  type FeatureEncoder,
  LEARNER_FORMAT,
  Learner,
  loadEncoderFolder,
  openEncoderSession,
  type Scheme,
  serializeFeatures,
  writeTaughtFolder,
} from '../core/learner';
import { crossValidate, estimateQuality, type Outcome } from '../core/learner/quality';
import type {
  DecisionDelta,
  FeatureBatch,
  LearnApi,
  LearnDocument,
  ModelState,
  SavedLearner,
  ScoreTable,
  SentenceAttention,
  TaughtExportOptions,
} from './learn-api';
import { type FileProgress, fetchModelFile } from './model-files';

/** Features go back to the page in batches this size (each one IndexedDB write there). */
const FEATURE_BATCH = 8;
/** Cross-validation looks at the latest decisions only, so it stays quick however many there are. */
const QUALITY_DECISIONS = 400;
/** Undecided documents beside the decided ones in the cross-validation pool (their TF-IDF and the prior's scale). */
const QUALITY_POOL = 500;

interface Opened {
  encoderUrl: string;
  encoder: FeatureEncoder;
  scheme: Scheme;
  descriptions: Array<Float32Array | null>;
}

let opened: Opened | undefined;
let keys: string[] = [];
let indexOf = new Map<string, number>();
let features: DocumentFeatures[] = [];
let learner: Learner | undefined;
/** Decided documents' labels, by key, in the order they were first decided. */
let decisions = new Map<string, string[]>();
let lastTrainingMs = 0;
/** What the last training said (a label no decision gives yet, decisions of one class only). */
let lastTrainingNotes: string[] = [];
let rebuiltFrom: ModelState['rebuiltFrom'] = 'replay';
let chain: Promise<unknown> = Promise.resolve();

function serialized<T>(call: () => Promise<T>): Promise<T> {
  const next = chain.then(call);
  chain = next.catch(() => {});
  return next;
}

function requireOpened(): Opened {
  if (!opened) throw new Error('learning worker: open() the encoder first');
  return opened;
}

function requireLearner(): Learner {
  if (!learner) throw new Error('learning worker: no documents yet');
  return learner;
}

async function loadOrt() {
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = new URL(`${import.meta.env.BASE_URL}ort/`, location.origin).href;
  // One thread: the page and the inference worker share the machine's cores with it.
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return ort;
}

/** Each document's features: deserialized where stored, else from the encoder (handed back to be stored). */
async function featuresOf(
  documents: LearnDocument[],
  encoder: FeatureEncoder,
  onFeatures: (batch: FeatureBatch) => void,
): Promise<DocumentFeatures[]> {
  const missing = documents.filter((doc) => doc.features === undefined).length;
  let done = 0;
  let batch: FeatureBatch['features'] = [];
  const out: DocumentFeatures[] = [];
  for (const doc of documents) {
    if (doc.features !== undefined) {
      out.push(deserializeFeatures(doc.features));
      continue;
    }
    const extracted = await extractFeatures(doc.text, encoder);
    out.push(extracted);
    batch.push({ key: doc.key, bytes: serializeFeatures(extracted) });
    done++;
    if (batch.length >= FEATURE_BATCH || done === missing) {
      onFeatures(
        Comlink.transfer(
          { features: batch, done, total: missing },
          batch.map((entry) => entry.bytes.buffer),
        ),
      );
      batch = [];
    }
  }
  return out;
}

/** The learner's documents follow on in this order (its indices). */
function append(documents: Array<{ key: string }>, extracted: DocumentFeatures[]): void {
  documents.forEach((doc, i) => {
    indexOf.set(doc.key, keys.length);
    keys.push(doc.key);
    features.push(extracted[i] as DocumentFeatures);
  });
}

function learnerDecisions(): Decision[] {
  const out: Decision[] = [];
  for (const [key, labels] of decisions) {
    const doc = indexOf.get(key);
    if (doc !== undefined) out.push({ doc, labels });
  }
  return out;
}

function applyDelta(delta: DecisionDelta): void {
  for (const [key, labels] of delta) {
    if (labels === null) decisions.delete(key);
    else decisions.set(key, labels);
  }
}

function state(): ModelState {
  const current = requireLearner();
  return {
    version: current.version,
    decisions: current.decisionCount,
    documents: keys.length,
    notes: [...current.notes, ...lastTrainingNotes],
    trainingMs: lastTrainingMs,
    rebuiltFrom,
  };
}

function trainOnAll(target: Learner): void {
  const all = learnerDecisions();
  // A training with no decision left (all taken back) still counts as one: the version says what scored.
  const report = target.train(all);
  lastTrainingMs = report.milliseconds;
  lastTrainingNotes = report.notes;
}

const api: LearnApi = {
  open(encoder, scheme, onProgress: (progress: FileProgress) => void) {
    return serialized(async () => {
      // The encoder folder is pretrained and fixed (model.json pins its weights' hash): cached like any model file.
      const loaded = await loadEncoderFolder((file) => fetchModelFile(encoder.baseUrl, file, undefined, onProgress));
      const ort = await loadOrt();
      const session = await openEncoderSession(ort as never, loaded.graph, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      const featureEncoder: FeatureEncoder = {
        tokenizer: loaded.tokenizer,
        session,
        hiddenSize: loaded.manifest.hiddenSize,
        maxLength: loaded.manifest.maxLength,
      };
      const descriptions = await describeLabels(scheme, featureEncoder);
      opened = { encoderUrl: encoder.baseUrl, encoder: featureEncoder, scheme, descriptions };
      learner = undefined;
    });
  },

  setDocuments(documents: LearnDocument[], log: DecisionDelta[], saved: SavedLearner | null, onFeatures: (batch: FeatureBatch) => void) {
    return serialized(async () => {
      const { encoder, scheme, descriptions } = requireOpened();
      const wanted = new Set(documents.map((doc) => doc.key));
      // Documents the learner has keep their place; the learner takes new ones in (an import) without a rebuild.
      const growing = learner !== undefined && keys.every((key) => wanted.has(key));
      const fresh = growing ? documents.filter((doc) => !indexOf.has(doc.key)) : documents;
      const extracted = await featuresOf(fresh, encoder, onFeatures);
      if (growing && learner) {
        learner.addDocuments(extracted);
        append(fresh, extracted);
        return state();
      }
      const byKey = new Map(fresh.map((doc, i) => [doc.key, extracted[i] as DocumentFeatures]));
      keys = [];
      indexOf = new Map();
      features = [];
      decisions = new Map();
      // A state saved by an older learner format is replayed from the log instead: the decisions are what the user made.
      const usable =
        saved !== null &&
        saved.state.format === LEARNER_FORMAT &&
        saved.state.version <= log.length &&
        saved.keys.every((key) => byKey.has(key));
      if (usable) {
        const pool = saved.keys.map((key) => byKey.get(key) as DocumentFeatures);
        learner = Learner.fromState(saved.state, pool);
        append(
          saved.keys.map((key) => ({ key })),
          pool,
        );
        const rest = fresh.filter((doc) => !indexOf.has(doc.key));
        const restFeatures = rest.map((doc) => byKey.get(doc.key) as DocumentFeatures);
        learner.addDocuments(restFeatures);
        append(rest, restFeatures);
        for (const delta of log.slice(0, saved.state.version)) applyDelta(delta);
      } else {
        learner = new Learner(scheme, descriptions, extracted);
        append(fresh, extracted);
      }
      rebuiltFrom = usable ? 'state' : 'replay';
      // The same trainings in the same order give the same model again (the solves are deterministic).
      for (const delta of log.slice(learner.version)) {
        applyDelta(delta);
        trainOnAll(learner);
      }
      return state();
    });
  },

  saveState() {
    return serialized(async (): Promise<SavedLearner> => ({ keys: [...keys], state: requireLearner().exportState() }));
  },

  train(delta: DecisionDelta) {
    return serialized(async () => {
      applyDelta(delta);
      trainOnAll(requireLearner());
      return state();
    });
  },

  scores(wanted: string[]) {
    return serialized(async (): Promise<ScoreTable> => {
      const current = requireLearner();
      const labels = requireOpened().scheme.labels.map((label) => label.name);
      const probabilities = new Float32Array(wanted.length * labels.length).fill(Number.NaN);
      wanted.forEach((key, row) => {
        const doc = indexOf.get(key);
        if (doc !== undefined) probabilities.set(current.score(doc), row * labels.length);
      });
      return Comlink.transfer({ version: current.version, labels, probabilities }, [probabilities.buffer]);
    });
  },

  attention(key: string) {
    return serialized(async (): Promise<SentenceAttention | null> => {
      const doc = indexOf.get(key);
      const current = learner;
      if (doc === undefined || current === undefined) return null;
      const spans = features[doc]?.spans ?? new Uint32Array();
      return {
        spans: Array.from({ length: spans.length / 2 }, (_, s) => ({ start: spans[2 * s] as number, end: spans[2 * s + 1] as number })),
        weights: current.scheme.labels.map((_, l) => Array.from(current.attention(doc, l))),
      };
    });
  },

  quality() {
    return serialized(async () => {
      const { scheme, descriptions } = requireOpened();
      requireLearner(); // a scheme's documents and decisions, as the learner has them
      const decided = learnerDecisions().slice(-QUALITY_DECISIONS);
      const decidedDocs = new Set(decided.map((decision) => decision.doc));
      const others = keys
        .map((_, doc) => doc)
        .filter((doc) => !decidedDocs.has(doc))
        .slice(0, QUALITY_POOL);
      // Fold models learn on a pool of the decided documents and some others, indexed afresh; one solve each reaches
      // the model the page's warm-started trainings reach.
      const pool = [...decided.map((decision) => decision.doc), ...others];
      const poolFeatures = pool.map((doc) => features[doc] as DocumentFeatures);
      const { probabilities, folds } = crossValidate(decided.length, (train, test) => {
        const fold = new Learner(scheme, descriptions, poolFeatures);
        const trainDecisions = train.map((i) => ({ doc: i, labels: (decided[i] as Decision).labels }));
        fold.train(trainDecisions);
        return test.map((i) => Array.from(fold.score(i)));
      });
      const outcomes: Outcome[] = decided.map((decision, i) => ({
        truth: scheme.labels.map((label) => decision.labels.includes(label.name)),
        probabilities: probabilities[i] ?? [],
      }));
      return estimateQuality(outcomes, scheme.task, folds);
    });
  },

  exportFolder(options: TaughtExportOptions) {
    return serialized(async () => {
      const { encoderUrl } = requireOpened();
      const current = requireLearner();
      const files = await writeTaughtFolder(current, (file) => fetchModelFile(encoderUrl, file, undefined, () => {}), options);
      // The graph hardly compresses: stored, so zipping 23 MB takes no time.
      const entries: Zippable = Object.fromEntries(
        Object.entries(files).map(([name, bytes]) => [`${options.id}/${name}`, [bytes, { level: name.endsWith('.onnx') ? 0 : 6 }]]),
      );
      const zip = zipSync(entries);
      return Comlink.transfer({ zip, version: current.version, decisions: current.decisionCount }, [zip.buffer]);
    });
  },
};

Comlink.expose(api);
