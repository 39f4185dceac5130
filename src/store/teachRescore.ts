/**
 * Teach (issue 19): a taught model's scores reach the documents through the annotation store's batch prediction,
 * as a shipped model's do (saved, shown with the model version that gave them, sorting the queue). They come in
 * small slices, each once the annotator has paused, so a keypress is not queued behind a rescoring save.
 */

import { predictLabels } from '../core/postprocess';
import { learnWorker } from '../worker/learn-bridge';
import { type BatchPredictor, cancelPrediction, startPrediction, useAnnotation } from './annotation';

const RESCORE_SLICE = 100;
/** About the store's flush interval: one slice per save. */
const RESCORE_PAUSE_MS = 300;
/** A slice waits until the annotator has not moved on for this long: saves land between keys, not on them. */
const QUIET_MS = 250;

let lastMove = 0;
useAnnotation.subscribe((state, previous) => {
  if (state.currentKey !== previous.currentKey) lastMove = performance.now();
});

async function annotatorPause(): Promise<void> {
  for (let waited = performance.now() - lastMove; waited < QUIET_MS; waited = performance.now() - lastMove)
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS - waited));
}

/** The predictor of one model version of a taught scheme. */
export function taughtPredictor(
  scheme: { id: string; task: BatchPredictor['model']['task']; labels: { name: string }[] },
  version: number,
): BatchPredictor {
  let cancelled = false;
  const names = scheme.labels.map((label) => label.name);
  const labels = names.map((name) => ({ name, threshold: 0.5 }));
  return {
    model: { id: scheme.id, version: String(version), task: scheme.task, labels },
    async predict(docs, onResult, onProgress) {
      for (let first = 0; first < docs.length && !cancelled; first += RESCORE_SLICE) {
        await annotatorPause();
        const slice = docs.slice(first, first + RESCORE_SLICE);
        const table = await learnWorker().scores(slice.map((doc) => doc.key));
        // A newer training landed meanwhile: its own rescoring follows, these scores would carry the wrong version.
        if (table.version !== version || cancelled) return;
        slice.forEach((doc, row) => {
          const probabilities = table.probabilities.subarray(row * names.length, (row + 1) * names.length);
          if (Number.isNaN(probabilities[0])) return; // not in the learner yet (imported a moment ago)
          const scores = Object.fromEntries(names.map((name, l) => [name, probabilities[l] as number]));
          onResult(doc.key, { scores, predicted: predictLabels(Float64Array.from(probabilities), labels, scheme.task) });
        });
        onProgress(first + slice.length, docs.length);
        await new Promise((resolve) => setTimeout(resolve, RESCORE_PAUSE_MS));
      }
    },
    cancel() {
      cancelled = true;
    },
  };
}

function predictionIdle(): Promise<void> {
  if (!useAnnotation.getState().prediction.running) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = useAnnotation.subscribe((state) => {
      if (state.prediction.running) return;
      stop();
      // The store lets go of the old predictor right after it says it stopped.
      setTimeout(resolve, 0);
    });
  });
}

/** Scores every undecided document with this version, after stopping a rescoring by an older one. */
export async function rescore(predictor: BatchPredictor): Promise<void> {
  cancelPrediction();
  await predictionIdle();
  await startPrediction(predictor);
}
