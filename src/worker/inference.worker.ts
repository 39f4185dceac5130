// Over 300 lines: the worker's whole message surface (load with the WebGPU-to-WASM fallback, classify, batch, cancel).
/**
 * The inference worker: loads a model folder, runs it with ONNX Runtime Web (WebGPU first, WASM fallback)
 * and answers classify / classifyMany calls from the page through comlink. The page never waits on compute.
 */

import * as Comlink from 'comlink';
import {
  type Classification,
  type Classifier,
  ModelFolderError,
  type ModelManifest,
  openModelFolder,
  ortSessionFactory,
  type Precision,
  type Progress,
  parseManifest,
} from '../core';
import { errorMessage } from '../core/errors';
import { openEncoderSession } from '../core/learner';
import {
  type BackendInfo,
  type BackendName,
  type BatchDoc,
  type BatchItem,
  type BatchProgress,
  type BatchSummary,
  type ClassifyResult,
  type InferenceApi,
  type LoadOptions,
  type LoadProgress,
  type ModelInfo,
  type Refusal,
  type RunProgress,
  webGpuLostErrorName,
} from './api';
import { pickPrecision, wasmThreads, webGpuUnavailableReason } from './backend';
import { type FileProgress, fetchModelFile, forgetModelFile, ModelFileError } from './model-files';
import { type Priority, RunQueue } from './run-queue';
import { reasonNotToClassify } from './text-check';

type Ort = typeof import('onnxruntime-web');

/** One ONNX Runtime per backend, each loaded on first use: a WebGPU page that falls back to WASM holds both. */
const runtimes: Partial<Record<BackendName, Promise<Ort>>> = {};

/**
 * ONNX Runtime is imported on first use so it lands in its own chunk (its thread workers must not re-run app code).
 * WASM runs on the plain runtime: 14 MB to fetch and compile where the WebGPU-capable (JSEP) build is 28 MB, so
 * it loads in half the time, with the same scores and no slower (bench/results/ort-builds.json).
 */
function loadOrt(backend: BackendName, threads: number | undefined): Promise<Ort> {
  runtimes[backend] ??= (backend === 'webgpu' ? import('onnxruntime-web') : import('onnxruntime-web/wasm')).then((ort) => {
    ort.env.wasm.wasmPaths = new URL(`${import.meta.env.BASE_URL}ort/`, location.origin).href;
    // Fixed at this runtime's first initialisation: later loads keep the first thread count.
    ort.env.wasm.numThreads = wasmThreads(threads);
    ort.env.wasm.proxy = false;
    // ORT warns on every WebGPU session that shape ops run on the CPU, which is by design.
    ort.env.logLevel = 'error';
    return ort;
  });
  return runtimes[backend];
}

interface Folder {
  baseUrl: string;
  sizes: Record<string, number> | undefined;
  options: LoadOptions;
  /** JSON files already read in this load, so a backend switch reuses model.json and tokenizer.json. */
  read: Map<string, Uint8Array>;
}

interface Active {
  manifest: ModelManifest;
  classifier: Classifier;
  backend: BackendInfo;
}

let folder: Folder | undefined;
let active: Active | undefined;
/** Set when the WebGPU device is lost; the next run moves to WASM before starting. */
let webGpuLostReason: string | undefined;
/** Rejects when the WebGPU device is lost: a run on a lost device never settles, so runs race against it. */
let webGpuLost: Promise<never> | undefined;
const queue = new RunQueue();
let classifyAbort: AbortController | undefined;
let batchAbort: AbortController | undefined;

/** Errors about the model folder's files are the same on every backend, so they are not a reason to fall back. */
function isFileError(error: unknown): boolean {
  return error instanceof ModelFileError || error instanceof ModelFolderError;
}

async function readFolderFile(current: Folder, file: string, onFile: ((progress: FileProgress) => void) | undefined): Promise<Uint8Array> {
  const known = current.read.get(file);
  if (known) return known;
  const bytes = await fetchModelFile(
    current.baseUrl,
    file,
    current.sizes?.[file],
    (progress) => onFile?.(progress),
    current.options.version,
  );
  // Graphs are not kept: ONNX Runtime holds its own copy, and a backend switch reads the other graph anyway.
  if (!file.endsWith('.onnx')) current.read.set(file, bytes);
  return bytes;
}

async function readManifest(current: Folder, onFile: ((progress: FileProgress) => void) | undefined): Promise<ModelManifest> {
  const bytes = await readFolderFile(current, 'model.json', onFile);
  let content: unknown;
  try {
    content = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelFileError('model.json', `is not valid JSON (${errorMessage(error)})`);
  }
  return parseManifest(content);
}

interface GpuDeviceLike {
  lost: Promise<{ message: string }>;
  addEventListener(type: 'uncapturederror', listener: (event: { error: { message: string } }) => void): void;
}

/**
 * Marks WebGPU unusable when the device is lost or raises an error nobody caught (a shader the adapter can't
 * compile, for one): ONNX Runtime then returns garbage instead of failing, so the run is redone on WASM.
 */
async function watchDevice(ort: Ort): Promise<void> {
  // TypeScript's DOM library has no WebGPU types; the device is only watched.
  const device = (await ort.env.webgpu.device) as GpuDeviceLike;
  webGpuLost = device.lost.then((info) => {
    webGpuLostReason = `WebGPU device lost (${info.message || 'no reason given'})`;
    throw new Error(webGpuLostReason);
  });
  webGpuLost.catch(() => {}); // only runs in flight care
  device.addEventListener('uncapturederror', (event) => {
    webGpuLostReason ??= `WebGPU error (${event.error.message.split('\n')[0]})`;
  });
}

/** The signal of the run in progress (runs are serialized by the queue). */
let runSignal: AbortSignal | undefined;

/**
 * Yields to the event loop before each window (a taught model: each batch of sentences), so a cancel message (and
 * any interactive request) can arrive during a long text; without it the loop would only see promise callbacks.
 */
function yielding<Args extends unknown[], Output>(session: {
  run(...args: Args): Promise<Output>;
  release(): Promise<void>;
}): { run(...args: Args): Promise<Output>; release(): Promise<void> } {
  return {
    async run(...args: Args) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      runSignal?.throwIfAborted();
      return session.run(...args);
    },
    release: () => session.release(),
  };
}

/** The precision asked for: a taught model runs its encoder's int8 graph only, so `?precision=` does not apply to it. */
function askedPrecision(current: Folder, manifest: ModelManifest): Precision | undefined {
  return manifest.kind === 'taught' ? undefined : current.options.precision;
}

/** Creates the session for one backend; a graph ONNX Runtime can't parse is reported by file name. */
async function openSession(
  current: Folder,
  backend: BackendName,
  onFile: ((progress: FileProgress) => void) | undefined,
  onSessionStart: () => void,
): Promise<Active> {
  const ort = await loadOrt(backend, current.options.threads);
  const manifest = await readManifest(current, onFile);
  const precision: Precision | undefined = pickPrecision(backend, manifest.files, current.sizes, askedPrecision(current, manifest));
  if (!precision) throw new ModelFileError('model.json', `lists no graph for ${backend} among the files shipped`);
  const graph = manifest.files[precision] ?? precision;
  const sessionOptions = { executionProviders: [backend], graphOptimizationLevel: 'all' } as const;
  const openGraph = ortSessionFactory(ort, sessionOptions);
  /** The first graph, opened once its files are read: a graph the CPU provider can't load is a broken file. */
  const opening = async <Session>(open: () => Promise<Session>): Promise<Session> => {
    onSessionStart();
    try {
      return await open();
    } catch (error) {
      if (backend !== 'wasm') throw error;
      // Dropped from the cache so a reload fetches it again.
      await forgetModelFile(current.baseUrl, graph, current.options.version);
      throw new ModelFileError(graph, `is not a usable ONNX graph (${errorMessage(error)})`);
    }
  };
  // The graph bytes are not kept: the session holds the model now. Documents the int8 graph scores near a threshold
  // are scored again by the graph model.json names (fp16 weights, fp32 arithmetic), fetched the first time one
  // comes up; a taught model has no such graph.
  const opened = await openModelFolder((file) => readFolderFile(current, file, onFile), precision, {
    openSession: (bytes) => opening(async () => yielding(await openGraph(bytes))),
    openBorderline: async (bytes) => yielding(await openGraph(bytes)),
    ships: (file) => current.sizes !== undefined && file in current.sizes,
    openEncoder: (bytes) => opening(async () => yielding(await openEncoderSession(ort, bytes, sessionOptions))),
  });
  if (backend === 'webgpu') await watchDevice(ort);
  const threads = backend === 'wasm' ? (ort.env.wasm.numThreads ?? 1) : 0;
  return {
    manifest: opened.classifier.manifest,
    classifier: opened.classifier,
    backend: { backend, threads, crossOriginIsolated, graph: opened.graphFile },
  };
}

async function switchToWasm(reason: string): Promise<Active> {
  if (!folder) throw new Error('No model is loaded.');
  const previous = active;
  const next = await openSession(folder, 'wasm', undefined, () => {});
  next.backend.fallbackReason = reason;
  active = next;
  await previous?.classifier.dispose().catch(() => {});
  return next;
}

function toResult(classification: Classification, current: Active, totalMs: number, inferenceMs: number): ClassifyResult {
  const { manifest } = current;
  const labels = manifest.labels.map((label) => ({
    ...label,
    probability: classification.scores[label.name] ?? 0,
    predicted: classification.labels.includes(label.name),
  }));
  const firstSpans = classification.attention[manifest.labels[0]?.name ?? ''] ?? [];
  const words = firstSpans.map(([start, end]) => ({ start, end }));
  const attention = manifest.labels.map((label) => (classification.attention[label.name] ?? []).map(([, , weight]) => weight));
  return {
    labels,
    words,
    attention,
    tokens: classification.tokens,
    windows: classification.windows,
    recheck: classification.recheck,
    ...(classification.recheckError === undefined ? {} : { recheckError: classification.recheckError }),
    backend: { ...current.backend },
    timing: { totalMs, inferenceMs },
  };
}

/** Classifies one text, redoing the run on WASM when WebGPU fails (unless WebGPU was forced). */
async function classifyText(
  text: string,
  priority: Priority,
  signal: AbortSignal,
  onProgress: (progress: RunProgress) => void,
): Promise<ClassifyResult> {
  const started = performance.now();
  return queue.run(priority, signal, async () => {
    if (!active || !folder) throw new Error('No model is loaded.');
    if (webGpuLostReason && active.backend.backend === 'webgpu' && !folder.options.backend) {
      await switchToWasm(webGpuLostReason);
    }
    const current = active;
    runSignal = signal;
    const runStarted = performance.now();
    const options = {
      signal,
      onWindowStart: ({ done, total }: Progress) => onProgress({ window: done + 1, windowsDone: done, windowsTotal: total }),
      onProgress: ({ done, total }: Progress) => onProgress({ window: done, windowsDone: done, windowsTotal: total }),
    };
    let settled = false;
    try {
      const run = current.classifier.classify(text, options).finally(() => {
        settled = true;
      });
      run.catch(() => {}); // after a device loss nobody waits for it
      const classification = current.backend.backend === 'webgpu' && webGpuLost ? await Promise.race([run, webGpuLost]) : await run;
      // An error the device raised during the run means its numbers can't be trusted.
      if (current.backend.backend === 'webgpu' && webGpuLostReason) throw new Error(webGpuLostReason);
      const now = performance.now();
      return toResult(classification, current, now - started, now - runStarted);
    } catch (error) {
      if (signal.aborted || current.backend.backend !== 'webgpu' || folder.options.backend) throw error;
      if (!settled) {
        // The lost run never settles and holds the WebGPU runtime's instance: a new worker starts clean.
        const lost = new Error(`${errorMessage(error)} during a run`);
        lost.name = webGpuLostErrorName;
        throw lost;
      }
      const fallback = await switchToWasm(`WebGPU run failed (${errorMessage(error)})`);
      const retryStarted = performance.now();
      const classification = await fallback.classifier.classify(text, options);
      const now = performance.now();
      return toResult(classification, fallback, now - started, now - retryStarted);
    }
  });
}

const api: InferenceApi = {
  async loadModel(modelBaseUrl: string, options: LoadOptions, onProgress: (progress: LoadProgress) => void) {
    const started = performance.now();
    classifyAbort?.abort();
    batchAbort?.abort();
    const previous = active;
    active = undefined;
    await previous?.classifier.dispose().catch(() => {});
    webGpuLostReason = undefined;
    webGpuLost = undefined;

    const current: Folder = { baseUrl: modelBaseUrl, sizes: options.files, options, read: new Map() };
    folder = current;
    const files = new Map<string, FileProgress>();
    const report = (phase: LoadProgress['phase']) => onProgress({ files: [...files.values()], phase });
    const onFile = (progress: FileProgress) => {
      files.set(progress.file, progress);
      report('files');
    };
    const onSessionStart = () => report('session');

    const manifest = await readManifest(current, onFile);
    const webGpuBlocker =
      options.backend === 'wasm'
        ? undefined
        : ((await webGpuUnavailableReason()) ??
          (pickPrecision('webgpu', manifest.files, current.sizes, askedPrecision(current, manifest))
            ? undefined
            : manifest.kind === 'taught'
              ? "a taught model runs its encoder's int8 graph, which gives wrong scores on WebGPU"
              : 'the model ships no fp16 or fp32 graph, and the int8 graph gives wrong scores on WebGPU'));
    let loaded: Active;
    if (options.backend === 'wasm') {
      loaded = await openSession(current, 'wasm', onFile, onSessionStart);
      loaded.backend.fallbackReason = options.fallbackReason;
    } else if (webGpuBlocker) {
      if (options.backend === 'webgpu') throw new Error(`WebGPU was requested but ${webGpuBlocker}.`);
      loaded = await openSession(current, 'wasm', onFile, onSessionStart);
      loaded.backend.fallbackReason = webGpuBlocker;
    } else {
      try {
        loaded = await openSession(current, 'webgpu', onFile, onSessionStart);
      } catch (error) {
        if (options.backend === 'webgpu' || isFileError(error)) throw error;
        loaded = await openSession(current, 'wasm', onFile, onSessionStart);
        loaded.backend.fallbackReason = `WebGPU session failed (${errorMessage(error)})`;
      }
    }
    if (folder !== current) throw new Error('Another model was selected while this one was loading.');
    active = loaded;
    const fileList = [...files.values()];
    const info: ModelInfo = {
      id: manifest.id,
      kind: manifest.kind === 'taught' ? 'taught' : 'classifier',
      version: manifest.version,
      task: manifest.task,
      labels: manifest.labels.map(({ name, description, threshold }) => ({ name, description, threshold })),
      maxLength: manifest.max_length,
      window: manifest.window,
      backend: loaded.backend,
      loadMs: performance.now() - started,
      downloadedBytes: fileList.filter((f) => !f.fromCache).reduce((sum, f) => sum + f.loaded, 0),
      cachedBytes: fileList.filter((f) => f.fromCache).reduce((sum, f) => sum + f.loaded, 0),
    };
    return info;
  },

  async classify(text: string, onProgress: (progress: RunProgress) => void): Promise<ClassifyResult | Refusal | null> {
    const refusal = reasonNotToClassify(text);
    if (refusal) return { refused: refusal };
    classifyAbort?.abort();
    const controller = new AbortController();
    classifyAbort = controller;
    try {
      return await classifyText(text, 'interactive', controller.signal, onProgress);
    } catch (error) {
      if (controller.signal.aborted) return null;
      throw error;
    }
  },

  async classifyMany(
    docs: BatchDoc[],
    onResult: (item: BatchItem) => void,
    onProgress: (progress: BatchProgress) => void,
  ): Promise<BatchSummary> {
    batchAbort?.abort();
    const controller = new AbortController();
    batchAbort = controller;
    let done = 0;
    let failed = 0;
    for (const doc of docs) {
      if (controller.signal.aborted) break;
      const refusal = reasonNotToClassify(doc.text);
      try {
        if (refusal) throw new Error(refusal);
        // Batch work yields to interactive runs between documents (see RunQueue).
        const result = await classifyText(doc.text, 'background', controller.signal, () => {});
        // Awaiting the callbacks keeps their order with the final reply: all results are in before it resolves.
        await onResult({ id: doc.id, result });
      } catch (error) {
        if (controller.signal.aborted) break;
        if (error instanceof Error && error.name === webGpuLostErrorName) throw error;
        failed += 1;
        await onResult({ id: doc.id, error: errorMessage(error) });
      }
      done += 1;
      await onProgress({ done, total: docs.length });
    }
    return { done, failed, cancelled: controller.signal.aborted };
  },

  cancelClassify() {
    classifyAbort?.abort();
  },

  cancelBatch() {
    batchAbort?.abort();
  },
};

Comlink.expose(api);
