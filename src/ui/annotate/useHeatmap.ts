import { useEffect, useState } from 'react';
import { classifierInput } from '../../io/document';
import { recentResult, rememberResult } from '../../store/annotationPredictor';
import type { AnnotatedDoc, SessionSettings } from '../../store/db';
import { useModelStore } from '../../store/model';
import type { ClassifyResult } from '../../worker/api';
import { callback, inferenceWorker } from '../../worker/bridge';

/** What a heatmap shows: words (or, for a taught scheme, sentences) and each label's weights over them. */
export type HeatmapResult = Pick<ClassifyResult, 'words' | 'attention'> & { labels: { name: string }[] };

export type Heatmap =
  | { status: 'none' }
  | { status: 'loading' }
  | { status: 'ready'; result: HeatmapResult; abstractStart: number; titleLength: number }
  | { status: 'error'; message: string };

const NO_HEATMAP: Heatmap = { status: 'none' };

/** Waits this long on a document before asking the worker, so fast j/j/j navigation queues nothing. */
const SETTLE_MS = 150;

/**
 * The attention heatmap of the document on screen: from the batch results still in memory, else one
 * interactive classify call in the worker (it runs ahead of the background batch).
 */
export function useHeatmap(doc: AnnotatedDoc | null, input: SessionSettings['classifierInput']): Heatmap {
  const modelReady = useModelStore((state) => state.load.status === 'ready');
  const [heatmap, setHeatmap] = useState<Heatmap>(NO_HEATMAP);
  const key = doc?.key;
  const title = doc?.title;
  const text = doc?.text;

  useEffect(() => {
    if (key === undefined || text === undefined || !modelReady) {
      // Keep the same object when nothing changes: no re-render of the view on every keypress.
      setHeatmap((current) => (current.status === 'none' ? current : NO_HEATMAP));
      return;
    }
    const built = classifierInput({ id: key, title, text }, input);
    const titleLength = built.abstractStart > 0 ? (title?.trim().length ?? 0) : 0;
    const cached = recentResult(key, built.text);
    if (cached) {
      setHeatmap({ status: 'ready', result: cached, abstractStart: built.abstractStart, titleLength });
      return;
    }
    setHeatmap({ status: 'loading' });
    let current = true;
    let inFlight = false;
    const timer = setTimeout(() => {
      inFlight = true;
      inferenceWorker()
        .classify(
          built.text,
          callback(() => {}),
        )
        .then((outcome) => {
          inFlight = false;
          if (!current || outcome === null) return;
          if ('refused' in outcome) setHeatmap({ status: 'error', message: outcome.refused });
          else {
            rememberResult(key, built.text, outcome);
            setHeatmap({ status: 'ready', result: outcome, abstractStart: built.abstractStart, titleLength });
          }
        })
        .catch((error: unknown) => {
          inFlight = false;
          if (current) setHeatmap({ status: 'error', message: error instanceof Error ? error.message : String(error) });
        });
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
      // The annotator moved on: free the worker for the next document's heatmap.
      if (inFlight) void inferenceWorker().cancelClassify();
    };
  }, [key, title, text, input, modelReady]);

  return heatmap;
}
