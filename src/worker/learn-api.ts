/** The typed surface of the learning worker (Teach, issue 19), shared by the worker and the page's side (learn-bridge.ts). */
import type { LearnerState, Scheme } from '../core/learner';
import type { QualityEstimate } from '../core/learner/quality';
import type { FileProgress } from './model-files';

export type { Scheme, SchemeLabel } from '../core/learner';
export type { QualityEstimate } from '../core/learner/quality';

/** Where the encoder folder (model.json "kind": "encoder") is served. */
export interface EncoderLocation {
  baseUrl: string;
}

/** A document of the session as the learner sees it: the classifier text, and its stored features when it has them. */
export interface LearnDocument {
  key: string;
  text: string;
  features?: Uint8Array;
}

/** What one training changed: a decided document's labels, or null where a decision was taken back (undo). */
export type DecisionDelta = Array<[key: string, labels: string[] | null]>;

export interface FeatureBatch {
  /** Serialized features (serializeFeatures) of documents that had none, for the page to keep in IndexedDB. */
  features: Array<{ key: string; bytes: Uint8Array }>;
  done: number;
  total: number;
}

export interface ModelState {
  /** Trainings so far; 0: the scores come from the label descriptions alone. */
  version: number;
  /** Decisions the current model was trained on. */
  decisions: number;
  documents: number;
  /** Plain messages about the scheme (an empty description, one that scores everything alike). */
  notes: string[];
  /** Wall time of the last training, in the worker. */
  trainingMs: number;
  /** How the last setDocuments came to this model: from a saved state (then only later trainings replayed), or by
   * replaying every training from the descriptions-only model. */
  rebuiltFrom: 'state' | 'replay';
}

/** The learner as saved in IndexedDB: its state and the documents of its pool, in the learner's order. */
export interface SavedLearner {
  keys: string[];
  state: LearnerState;
}

/** Probabilities of the requested documents, [documents × labels] row-major; NaN for a document the learner lacks. */
export interface ScoreTable {
  version: number;
  labels: string[];
  probabilities: Float32Array;
}

/** A label's attention over the document's sentences: the taught model's heatmap. */
export interface SentenceAttention {
  /** [start, end) of each sentence in the document's classifier text. */
  spans: Array<{ start: number; end: number }>;
  /** Per label of the scheme, one weight per sentence (each row sums to 1). */
  weights: number[][];
}

export interface LearnApi {
  /** Loads the encoder (cached like every model file) and describes the scheme's labels. */
  open(encoder: EncoderLocation, scheme: Scheme, onProgress: (progress: FileProgress) => void): Promise<void>;
  /**
   * The session's documents (all of them): extracts the features of those that have none (handed back in batches).
   * A learner that already has some of them takes the others in; otherwise it is rebuilt: from `saved` where that
   * is a state of this log (the trainings after it replayed), else from the descriptions through every training of `log`.
   */
  setDocuments(
    documents: LearnDocument[],
    log: DecisionDelta[],
    saved: SavedLearner | null,
    onFeatures: (batch: FeatureBatch) => void,
  ): Promise<ModelState>;
  /** The current learner, to keep in IndexedDB (the dual variables included, so it solves on from where it stopped). */
  saveState(): Promise<SavedLearner>;
  /** Applies one training's changes and trains on every decision so far. */
  train(delta: DecisionDelta): Promise<ModelState>;
  scores(keys: string[]): Promise<ScoreTable>;
  attention(key: string): Promise<SentenceAttention | null>;
  /** Cross-validated on the decisions so far. */
  quality(): Promise<QualityEstimate>;
  /** The current model as a taught model folder (docs/model-contract.md), zipped under `<id>/`. */
  exportFolder(options: TaughtExportOptions): Promise<TaughtExport>;
}

export interface TaughtExportOptions {
  id: string;
  /** Goes into model.json "trained". */
  trained: Record<string, unknown>;
}

export interface TaughtExport {
  zip: Uint8Array;
  version: number;
  decisions: number;
}
