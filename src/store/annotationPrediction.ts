/**
 * Batch prediction: scores for the documents a model has not scored yet, from whatever scores them (the
 * inference worker through src/store/annotationPredictor.ts, or any other scorer), handed to the store in small
 * batches as `ScoreUpdate`s.
 */
import { needsScores, type ScoreUpdate } from './annotationDocs';
import type { AnnotatedDoc, SessionSettings } from './db';

/** What a scorer returns for one document. */
export interface PredictedScores {
  scores: Record<string, number>;
  predicted: string[];
}

/** Something that scores a batch of texts (see src/store/annotationPredictor.ts for the inference worker's). */
export interface BatchPredictor {
  model: { id: string; version: string; task: SessionSettings['task']; labels: { name: string; threshold: number }[] };
  predict(
    docs: { key: string; text: string }[],
    onResult: (key: string, result: PredictedScores) => void,
    onProgress: (done: number, total: number) => void,
  ): Promise<void>;
  cancel(): void;
}

export interface PredictionProgress {
  running: boolean;
  done: number;
  total: number;
  error: string | null;
}

/** How often results arrived meanwhile are saved. */
const FLUSH_MS = 300;

/** The documents this model should score, the queue as shown first (the annotator's next documents come first). */
export function documentsToPredict(
  order: readonly string[],
  docs: ReadonlyMap<string, AnnotatedDoc>,
  model: { id: string; version: string },
): AnnotatedDoc[] {
  const shown = new Set(order);
  const ordered = [...order, ...Array.from(docs.keys()).filter((key) => !shown.has(key))];
  return ordered.map((key) => docs.get(key)).filter((doc): doc is AnnotatedDoc => doc !== undefined && needsScores(doc, model));
}

/**
 * Runs one batch, handing its results to `apply` every FLUSH_MS and once at the end (also after a failure, so
 * what was scored is kept); the predictor's error is thrown after that.
 */
export async function runBatch(
  predictor: BatchPredictor,
  todo: { key: string; text: string }[],
  apply: (updates: ScoreUpdate[]) => Promise<void>,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  const model = { id: predictor.model.id, version: predictor.model.version };
  let pending: ScoreUpdate[] = [];
  const flush = () => {
    if (pending.length === 0) return Promise.resolve();
    const batch = pending;
    pending = [];
    return apply(batch);
  };
  const timer = setInterval(() => void flush().catch(() => {}), FLUSH_MS);
  try {
    await predictor.predict(todo, (key, { scores, predicted }) => pending.push({ key, scores, predicted, model }), onProgress);
    await flush();
  } catch (error) {
    await flush().catch(() => {});
    throw error;
  } finally {
    clearInterval(timer);
  }
}
