import type { AnnotationStatus } from '../io/export';
import type { AnnotatedDoc, SessionSettings } from './db';

export type QueueSort = { by: 'uncertainty' } | { by: 'score'; label: string } | { by: 'id' };

export interface QueueFilter {
  /** Empty set = every status. */
  statuses: ReadonlySet<AnnotationStatus>;
  /** A label the decision or the prediction must contain; null = any. */
  label: string | null;
}

type ModelView = Pick<SessionSettings, 'labels' | 'thresholds' | 'task'>;

/**
 * How unsure the model is: smaller = more useful to review first.
 * multi_label: the distance of the label closest to its threshold; single_label: the margin between the
 * top two probabilities. Documents without scores sort last (Infinity).
 */
export function uncertainty(doc: AnnotatedDoc, model: ModelView): number {
  return doc.scores ? uncertaintyOf(doc.scores, model) : Number.POSITIVE_INFINITY;
}

const uncertaintyOf = memoByScores((scores, model) => {
  if (model.task === 'single_label') {
    let first = Number.NEGATIVE_INFINITY;
    let second = Number.NEGATIVE_INFINITY;
    for (const label of model.labels) {
      const p = scores[label];
      if (p === undefined) continue;
      if (p > first) {
        second = first;
        first = p;
      } else if (p > second) second = p;
    }
    return second === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : first - second;
  }
  let closest = Number.POSITIVE_INFINITY;
  for (const label of model.labels) {
    const p = scores[label];
    if (p === undefined) continue;
    const distance = Math.abs(p - (model.thresholds[label] ?? 0.5));
    if (distance < closest) closest = distance;
  }
  return closest;
});

/** One collator for all comparisons: localeCompare with options builds a new one per call (slow at 10,000 docs). */
const idCollator = new Intl.Collator(undefined, { numeric: true });

function compareIds(a: AnnotatedDoc, b: AnnotatedDoc): number {
  return idCollator.compare(a.id, b.id) || a.order - b.order;
}

export function matchesFilter(doc: AnnotatedDoc, filter: QueueFilter): boolean {
  if (filter.statuses.size > 0 && !filter.statuses.has(doc.status)) return false;
  if (filter.label !== null) {
    const { label } = filter;
    if (!doc.decision.includes(label) && !doc.predicted?.includes(label)) return false;
  }
  return true;
}

/** The queue as shown: filtered, then sorted; returns document keys. */
export function orderQueue(docs: Iterable<AnnotatedDoc>, sort: QueueSort, filter: QueueFilter, model: ModelView): string[] {
  const shown: AnnotatedDoc[] = [];
  for (const doc of docs) if (matchesFilter(doc, filter)) shown.push(doc);
  if (sort.by === 'id') {
    shown.sort(compareIds);
  } else if (sort.by === 'score') {
    const { label } = sort;
    const score = (doc: AnnotatedDoc) => doc.scores?.[label] ?? Number.NEGATIVE_INFINITY;
    shown.sort((a, b) => score(b) - score(a) || compareIds(a, b));
  } else {
    const keyed = shown.map((doc) => ({ doc, u: uncertainty(doc, model) }));
    keyed.sort((a, b) => (a.u === b.u ? compareIds(a.doc, b.doc) : a.u < b.u ? -1 : 1));
    return keyed.map((entry) => entry.doc.key);
  }
  return shown.map((doc) => doc.key);
}

/** The status a document gets when the annotator accepts its current decision. */
export function acceptedStatus(doc: Pick<AnnotatedDoc, 'decision' | 'predicted'>): AnnotationStatus {
  const predicted = new Set(doc.predicted ?? []);
  const same = doc.decision.length === predicted.size && doc.decision.every((label) => predicted.has(label));
  return same ? 'accepted' : 'corrected';
}

/**
 * Per-scores memo: a document's scores object is shared by every copy of the document (decisions copy the
 * document, not its scores), so a re-sort or re-count after a keypress recomputes nothing.
 */
function memoByScores(compute: (scores: Record<string, number>, model: ModelView) => number) {
  const cache = new WeakMap<Record<string, number>, { model: ModelView; value: number }>();
  return (scores: Record<string, number>, model: ModelView): number => {
    const hit = cache.get(scores);
    if (hit?.model === model) return hit.value;
    const value = compute(scores, model);
    cache.set(scores, { model, value });
    return value;
  };
}

/** The model's confidence in its own prediction: for bulk "accept above X". */
export function predictionConfidence(doc: AnnotatedDoc, model: ModelView): number | null {
  return doc.scores ? confidenceOf(doc.scores, model) : null;
}

const confidenceOf = memoByScores((scores, model) => {
  if (model.task === 'single_label') {
    let best = 0;
    for (const label of model.labels) best = Math.max(best, scores[label] ?? 0);
    return best;
  }
  // Multi-label: every label's call must be confident; the weakest call decides (p for yes, 1-p for no).
  let weakest = 1;
  for (const label of model.labels) {
    const p = scores[label];
    if (p === undefined) continue;
    const call = p >= (model.thresholds[label] ?? 0.5) ? p : 1 - p;
    weakest = Math.min(weakest, call);
  }
  return weakest;
});

/** Whether bulk "accept above a confidence" takes this document: predicted, untouched by a human, confident enough. */
export function bulkAcceptable(doc: AnnotatedDoc | undefined, model: ModelView, minConfidence: number): doc is AnnotatedDoc {
  if (doc?.status !== 'predicted' || doc.edited) return false;
  return (predictionConfidence(doc, model) ?? -1) >= minConfidence;
}

/**
 * The queue after some documents changed status or decision (not scores): sort keys are unchanged, so a
 * document only leaves the queue when it stops matching the filter. Returns null when one must be inserted
 * (the caller sorts again).
 */
export function orderAfterDecisions(order: string[], changed: readonly AnnotatedDoc[], filter: QueueFilter): string[] | null {
  const leaving = new Set<string>();
  for (const doc of changed) {
    const matches = matchesFilter(doc, filter);
    const shown = order.includes(doc.key);
    if (shown && !matches) leaving.add(doc.key);
    else if (!shown && matches) return null;
  }
  return leaving.size === 0 ? order : order.filter((key) => !leaving.has(key));
}
