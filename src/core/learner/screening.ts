/** Screening figures over an order of relevance judgements (true = relevant), as in the screening literature. */

/** Work saved over sampling at `recall` (e.g. 0.95): 1 - screened share needed to reach it - (1 - recall). */
export function wssAt(relevant: boolean[], recall: number): number | null {
  const total = relevant.filter(Boolean).length;
  if (total === 0) return null;
  const needed = Math.ceil(recall * total);
  let found = 0;
  for (let i = 0; i < relevant.length; i++) {
    if (relevant[i]) found++;
    if (found >= needed) return 1 - (i + 1) / relevant.length - (1 - recall);
  }
  return null;
}

/** Share of the relevant documents found within the first `share` of the order (rounded up). */
export function recallAt(relevant: boolean[], share: number): number | null {
  const total = relevant.filter(Boolean).length;
  if (total === 0) return null;
  const screened = Math.ceil(share * relevant.length);
  return relevant.slice(0, screened).filter(Boolean).length / total;
}

/** The next document to show among `undecided`: the most likely relevant (screening one label), or the most
 * uncertain (the smallest distance of any label's probability from 0.5). Ties go to the lower `tieBreak`. */
export function screeningOrder(
  undecided: Iterable<number>,
  probability: (doc: number) => Float64Array,
  mode: { label: number } | 'uncertainty',
  tieBreak: Uint32Array,
): number {
  let best = -1;
  let bestKey = Number.NEGATIVE_INFINITY;
  for (const doc of undecided) {
    const probs = probability(doc);
    const key = mode === 'uncertainty' ? -Math.min(...Array.from(probs, (p) => Math.abs(p - 0.5))) : (probs[mode.label] as number);
    if (key > bestKey || (key === bestKey && (tieBreak[doc] as number) < (tieBreak[best] as number))) {
      best = doc;
      bestKey = key;
    }
  }
  return best;
}
