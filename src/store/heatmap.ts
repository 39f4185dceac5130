/**
 * The attention heatmap of the document on screen: from the batch results still in memory (kept here by
 * src/store/annotationPredictor.ts), else one interactive classify call in the worker, which runs ahead of the
 * background batch.
 */
import { errorMessage } from '../core/errors';
import { classifierInput } from '../io/document';
import type { ClassifyResult } from '../worker/api';
import { callback, inferenceWorker } from '../worker/bridge';
import type { AnnotatedDoc, SessionSettings } from './db';

/** What a heatmap shows: words (or, for a taught scheme, sentences) and each label's weights over them. */
export type HeatmapResult = Pick<ClassifyResult, 'words' | 'attention'> & { labels: { name: string }[] };

export type Heatmap =
  | { status: 'none' }
  | { status: 'loading' }
  | { status: 'ready'; result: HeatmapResult; abstractStart: number; titleLength: number }
  | { status: 'error'; message: string };

/** Batch results keep their heatmaps for the documents an annotator is about to open (bounded memory). */
const RECENT_RESULTS = 200;
const recentResults = new Map<string, { text: string; result: ClassifyResult }>();

export function rememberResult(key: string, text: string, result: ClassifyResult): void {
  recentResults.delete(key);
  recentResults.set(key, { text, result });
  if (recentResults.size > RECENT_RESULTS) {
    const oldest = recentResults.keys().next().value;
    if (oldest !== undefined) recentResults.delete(oldest);
  }
}

type HeatmapDoc = Pick<AnnotatedDoc, 'key' | 'title' | 'text'>;

/** The text the classifier sees and where its parts sit, so the heatmap's words map back onto title and abstract. */
function layoutOf(doc: HeatmapDoc, input: SessionSettings['classifierInput']) {
  const built = classifierInput({ id: doc.key, title: doc.title, text: doc.text }, input);
  const titleLength = built.abstractStart > 0 ? (doc.title?.trim().length ?? 0) : 0;
  return { text: built.text, abstractStart: built.abstractStart, titleLength };
}

/** The heatmap from a batch result still in memory for this very text, or null. */
export function cachedHeatmap(doc: HeatmapDoc, input: SessionSettings['classifierInput']): Heatmap | null {
  const { text, abstractStart, titleLength } = layoutOf(doc, input);
  const entry = recentResults.get(doc.key);
  return entry && entry.text === text ? { status: 'ready', result: entry.result, abstractStart, titleLength } : null;
}

/** Asks the worker for the heatmap; null when the run was cancelled. `cancel` frees the worker for the next document. */
export function requestHeatmap(
  doc: HeatmapDoc,
  input: SessionSettings['classifierInput'],
): { heatmap: Promise<Heatmap | null>; cancel(): void } {
  const { text, abstractStart, titleLength } = layoutOf(doc, input);
  let running = true;
  const heatmap = inferenceWorker()
    .classify(
      text,
      callback(() => {}),
    )
    .then((outcome): Heatmap | null => {
      if (outcome === null) return null;
      if ('refused' in outcome) return { status: 'error', message: outcome.refused };
      rememberResult(doc.key, text, outcome);
      return { status: 'ready', result: outcome, abstractStart, titleLength };
    })
    .catch((error: unknown): Heatmap => ({ status: 'error', message: errorMessage(error) }))
    .finally(() => {
      running = false;
    });
  return {
    heatmap,
    cancel: () => {
      if (running) void inferenceWorker().cancelClassify();
    },
  };
}
