/** The heatmap of a taught scheme's labels: the taught model's own attention over the document's sentences. */
import { useEffect, useState } from 'react';
import { classifierInput } from '../../io/document';
import type { AnnotatedDoc, SessionSettings } from '../../store/db';
import { taughtAttention, useTeach } from '../../store/teach';
import type { Heatmap } from '../annotate/useHeatmap';

const NO_HEATMAP: Heatmap = { status: 'none' };
/** As for the shipped model's heatmap: fast j/j/j navigation asks for nothing. */
const SETTLE_MS = 150;

export function useTaughtHeatmap(doc: AnnotatedDoc | null, input: SessionSettings['classifierInput']): Heatmap {
  const scheme = useTeach((state) => state.scheme);
  const version = useTeach((state) => state.model?.version ?? null);
  const [heatmap, setHeatmap] = useState<Heatmap>(NO_HEATMAP);
  const key = doc?.key;
  const title = doc?.title;
  const text = doc?.text;

  useEffect(() => {
    if (key === undefined || text === undefined || scheme === null || version === null) {
      setHeatmap((current) => (current.status === 'none' ? current : NO_HEATMAP));
      return;
    }
    const built = classifierInput({ id: key, title, text }, input);
    const titleLength = built.abstractStart > 0 ? (title?.trim().length ?? 0) : 0;
    let current = true;
    const timer = setTimeout(() => {
      taughtAttention(key)
        .then((attention) => {
          if (!current) return;
          if (attention === null) {
            setHeatmap({ status: 'error', message: 'the scheme has not read this document yet' });
            return;
          }
          setHeatmap({
            status: 'ready',
            result: { labels: scheme.labels.map(({ name }) => ({ name })), words: attention.spans, attention: attention.weights },
            abstractStart: built.abstractStart,
            titleLength,
          });
        })
        .catch((error: unknown) => {
          if (current) setHeatmap({ status: 'error', message: error instanceof Error ? error.message : String(error) });
        });
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key, title, text, input, scheme, version]);

  return heatmap;
}
