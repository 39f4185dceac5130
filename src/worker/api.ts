/** The typed surface of the inference worker, shared by the worker and its callers (through the comlink bridge). */
import type { Precision, Recheck, Task } from '../core';
import type { FileProgress } from './model-files';

export type { FileProgress } from './model-files';

export type BackendName = 'webgpu' | 'wasm';

export interface LoadOptions {
  /** Forces one backend (the page's `?backend=` param); otherwise WebGPU first, WASM fallback. */
  backend?: BackendName;
  /** Forces one graph (`?precision=`); otherwise each backend's preferred one among those shipped. */
  precision?: Precision;
  /** WASM threads (`?threads=`); defaults to hardwareConcurrency when cross-origin isolated, else 1. */
  threads?: number;
  /** Sizes of the folder's files from models/index.json: which graphs exist, and checks for truncated downloads. */
  files?: Record<string, number>;
  /** The model's version from models/index.json: cached files are kept per version. */
  version?: string;
  /** Why WASM runs instead of WebGPU, when the page restarted the worker on WASM after a device loss. */
  fallbackReason?: string;
}

/**
 * The error name of a run abandoned because the WebGPU device was lost under it. ONNX Runtime stays busy with that
 * run for good ("Session already started" for any other session), so the page starts a new worker on WASM.
 */
export const webGpuLostErrorName = 'WebGpuLostError';

export interface LabelInfo {
  name: string;
  description: string;
  threshold: number;
}

export interface BackendInfo {
  backend: BackendName;
  /** WASM threads; 0 on WebGPU. */
  threads: number;
  crossOriginIsolated: boolean;
  /** The graph file the session runs (model.int8.onnx, model.fp16.onnx, ...). */
  graph: string;
  /** Why the preferred backend is not the one running (no adapter, session error, device lost, ...). */
  fallbackReason?: string;
}

export interface ModelInfo {
  id: string;
  /** "taught": a Teach export (its windows are sentences, its heatmaps the learner's attention over sentences). */
  kind: 'classifier' | 'taught';
  version: string;
  task: Task;
  labels: LabelInfo[];
  maxLength: number;
  window: { length: number; stride: number };
  backend: BackendInfo;
  /** Wall time of the whole load (files + session), and how many bytes came from the network. */
  loadMs: number;
  downloadedBytes: number;
  cachedBytes: number;
}

export interface LoadProgress {
  files: FileProgress[];
  phase: 'files' | 'session';
}

export interface RunProgress {
  /** The window running now, from 1 (a borderline rescoring continues the count); windowsTotal grows by it. */
  window: number;
  windowsDone: number;
  windowsTotal: number;
}

export interface LabelScore extends LabelInfo {
  probability: number;
  predicted: boolean;
}

export interface ClassifyResult {
  labels: LabelScore[];
  /** Character spans [start, end) of the words of the text. */
  words: { start: number; end: number }[];
  /** Per label (same order as `labels`), one weight per word; each row sums to 1. */
  attention: number[][];
  tokens: number;
  windows: number;
  /** 'done': a probability came within model.json's borderline margin of its threshold, so the borderline graph (fp16
   * weights) scored the text again and everything above is that graph's. 'unavailable': it needed that recheck but
   * the graph could not be read (offline, say), so this is the int8 graph's result; `recheckError` says why. */
  recheck: Recheck;
  recheckError?: string;
  backend: BackendInfo;
  timing: { totalMs: number; inferenceMs: number };
}

/** A text the worker would not classify (binary data, ...), with the reason shown to the user. */
export interface Refusal {
  refused: string;
}

export interface BatchDoc {
  id: string;
  text: string;
}

export type BatchItem = { id: string; result: ClassifyResult } | { id: string; error: string };

export interface BatchProgress {
  done: number;
  total: number;
}

export interface BatchSummary {
  done: number;
  failed: number;
  cancelled: boolean;
}

export interface InferenceApi {
  loadModel(modelBaseUrl: string, options: LoadOptions, onProgress: (progress: LoadProgress) => void): Promise<ModelInfo>;
  /** Resolves to null when cancelled. */
  classify(text: string, onProgress: (progress: RunProgress) => void): Promise<ClassifyResult | Refusal | null>;
  /**
   * Background prediction for many documents; results stream out one by one, and every onResult call has been
   * delivered before the returned promise resolves. Interactive classify calls go ahead of it between documents.
   */
  classifyMany(docs: BatchDoc[], onResult: (item: BatchItem) => void, onProgress: (progress: BatchProgress) => void): Promise<BatchSummary>;
  /** Cancels the running classify call (takes effect between windows). */
  cancelClassify(): void;
  /** Cancels the running classifyMany call (takes effect between windows). */
  cancelBatch(): void;
}
