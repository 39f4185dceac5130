import { useEffect, useState } from 'react';
import type { AnnotatedDoc, SessionSettings } from '../../store/db';
import { cachedHeatmap, type Heatmap, requestHeatmap } from '../../store/heatmap';
import { useModelStore } from '../../store/model';

export type { Heatmap, HeatmapResult } from '../../store/heatmap';

const NO_HEATMAP: Heatmap = { status: 'none' };

/** Waits this long on a document before asking the worker, so fast j/j/j navigation queues nothing. */
const SETTLE_MS = 150;

/** The attention heatmap of the document on screen (src/store/heatmap.ts fetches it). */
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
    const shown = { key, title, text };
    const cached = cachedHeatmap(shown, input);
    if (cached) {
      setHeatmap(cached);
      return;
    }
    setHeatmap({ status: 'loading' });
    let current = true;
    let request: ReturnType<typeof requestHeatmap> | null = null;
    const timer = setTimeout(() => {
      request = requestHeatmap(shown, input);
      void request.heatmap.then((result) => {
        if (current && result) setHeatmap(result);
      });
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
      // The annotator moved on: free the worker for the next document's heatmap.
      request?.cancel();
    };
  }, [key, title, text, input, modelReady]);

  return heatmap;
}
