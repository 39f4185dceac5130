/** The page's handle on the inference worker: one worker per page, typed through comlink. */
import * as Comlink from 'comlink';
import type { InferenceApi } from './api';

let remote: Comlink.Remote<InferenceApi> | undefined;

export function inferenceWorker(): Comlink.Remote<InferenceApi> {
  if (!remote) {
    const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), {
      type: 'module',
      name: 'labelwise-inference',
    });
    remote = Comlink.wrap<InferenceApi>(worker);
  }
  return remote;
}

/** Wraps a callback so the worker can call it back across the thread boundary. */
export const callback = Comlink.proxy;
