/**
 * The page's handle on the inference worker: one worker per page, typed through comlink. When the WebGPU device is
 * lost in the middle of a run, ONNX Runtime in that worker is stuck for good; the bridge then replaces the worker
 * with one that loads the same model on WASM and redoes the interrupted call, so callers never see the loss.
 */
import * as Comlink from 'comlink';
import {
  type BatchDoc,
  type BatchItem,
  type BatchProgress,
  type BatchSummary,
  type ClassifyResult,
  type InferenceApi,
  type Refusal,
  webGpuLostErrorName,
} from './api';

/** The worker's API as the page calls it: every method answers with a promise. */
export type InferenceClient = {
  [K in keyof InferenceApi]: (...args: Parameters<InferenceApi[K]>) => Promise<Awaited<ReturnType<InferenceApi[K]>>>;
};

let worker: Worker | undefined;
let remote: Comlink.Remote<InferenceApi> | undefined;
/** The last loadModel call, replayed on WASM when the worker is replaced. */
let lastLoad: Parameters<InferenceApi['loadModel']> | undefined;
/** Counts workers, so calls that failed on the same lost device share one restart. */
let generation = 0;
let restarting: Promise<void> | undefined;

function current(): Comlink.Remote<InferenceApi> {
  if (!remote) {
    worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'labelwise-inference' });
    remote = Comlink.wrap<InferenceApi>(worker);
  }
  return remote;
}

function isWebGpuLost(error: unknown): error is Error {
  return error instanceof Error && error.name === webGpuLostErrorName;
}

/** Replaces the worker (once per lost device) by one that runs the last loaded model on WASM. */
function restartOnWasm(failedGeneration: number, reason: string): Promise<void> {
  if (failedGeneration !== generation) return restarting ?? Promise.resolve();
  generation += 1;
  worker?.terminate();
  worker = undefined;
  remote = undefined;
  const load = lastLoad;
  if (!load) return Promise.reject(new Error(`${reason}, and no model was loaded to restart on WASM`));
  const [url, options] = load;
  const restart = current()
    .loadModel(
      url,
      { ...options, backend: 'wasm', fallbackReason: reason },
      Comlink.proxy(() => {}),
    )
    .then(() => undefined);
  restarting = restart;
  const clear = () => {
    if (restarting === restart) restarting = undefined;
  };
  restart.then(clear, clear);
  return restart;
}

/** Runs `call` on the current worker; after a device loss, once more on the WASM worker that replaces it. */
async function withRestart<T>(call: (remote: Comlink.Remote<InferenceApi>) => Promise<T>, retry: () => Promise<T>): Promise<T> {
  // A call made while the replacement worker loads its model waits for it.
  await restarting?.catch(() => {});
  const started = generation;
  try {
    return await call(current());
  } catch (error) {
    if (!isWebGpuLost(error)) throw error;
    await restartOnWasm(started, error.message);
    return retry();
  }
}

const client: InferenceClient = {
  loadModel(modelBaseUrl, options, onProgress) {
    lastLoad = [modelBaseUrl, options, onProgress];
    return current().loadModel(modelBaseUrl, options, onProgress);
  },

  classify(text, onProgress) {
    return withRestart<ClassifyResult | Refusal | null>(
      (remote) => remote.classify(text, onProgress),
      () => current().classify(text, onProgress),
    );
  },

  classifyMany(docs: BatchDoc[], onResult: (item: BatchItem) => void, onProgress: (progress: BatchProgress) => void) {
    // The results delivered before a loss stand; the new worker does the rest.
    const delivered = new Set<string>();
    let failed = 0;
    const track = Comlink.proxy((item: BatchItem) => {
      delivered.add(item.id);
      if ('error' in item) failed += 1;
      onResult(item);
    });
    return withRestart<BatchSummary>(
      (remote) => remote.classifyMany(docs, track, onProgress),
      async () => {
        const before = { done: delivered.size, failed };
        const rest = docs.filter((doc) => !delivered.has(doc.id));
        const shifted = Comlink.proxy(({ done }: BatchProgress) => onProgress({ done: before.done + done, total: docs.length }));
        const summary = await current().classifyMany(rest, track, shifted);
        return { done: before.done + summary.done, failed: before.failed + summary.failed, cancelled: summary.cancelled };
      },
    );
  },

  cancelClassify: () => current().cancelClassify(),
  cancelBatch: () => current().cancelBatch(),
};

export function inferenceWorker(): InferenceClient {
  return client;
}

/** Wraps a callback so the worker can call it back across the thread boundary. */
export const callback = Comlink.proxy;
