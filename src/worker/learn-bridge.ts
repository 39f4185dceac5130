/** The page's handle on the learning worker: one per page, replaced when the scheme changes. */
import * as Comlink from 'comlink';
import type { LearnApi } from './learn-api';

let worker: Worker | undefined;
let remote: Comlink.Remote<LearnApi> | undefined;

export function learnWorker(): Comlink.Remote<LearnApi> {
  if (!remote) {
    worker = new Worker(new URL('./learn.worker.ts', import.meta.url), { type: 'module', name: 'labelwise-learn' });
    remote = Comlink.wrap<LearnApi>(worker);
  }
  return remote;
}

/** Ends the worker (a new scheme starts a fresh one; calls in flight are dropped). */
export function stopLearnWorker(): void {
  worker?.terminate();
  worker = undefined;
  remote = undefined;
}

export const learnCallback = Comlink.proxy;
