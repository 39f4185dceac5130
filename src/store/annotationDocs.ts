/**
 * The session's documents and decisions as plain data: what a keypress, an import or a prediction does to a
 * document. No IndexedDB, no tabs, no timers (src/store/annotation.ts saves what these return).
 */
import type { SentenceSpan } from '../io/document';
import type { AnnotationStatus, ReviewRecord } from '../io/export';
import { acceptedStatus } from './annotationQueue';
import { type AnnotatedDoc, type DecisionState, REVIEWED_STATUSES, type SessionSettings } from './db';

/** A document arriving from an import (or a previous export being re-imported). */
export interface IncomingDoc {
  id: string;
  pmid?: string;
  title?: string;
  text: string;
  sentences?: SentenceSpan[] | null;
  /** Gold labels or a previous human decision. */
  labels?: string[];
  status?: AnnotationStatus;
  scores?: Record<string, number>;
  predicted?: string[];
  model?: { id: string; version: string };
  note?: string;
  annotator?: string;
  importedAt?: number;
  predictedAt?: number;
  reviewedAt?: number;
  extra?: Record<string, unknown>;
  review?: ReviewRecord;
  /** When the work was last changed (an earlier export's updated_at); default: the import time. */
  updatedAt?: number;
}

/** Scores for one document from any scorer (the inference worker, a taught scheme): what it predicts and who said so. */
export interface ScoreUpdate {
  key: string;
  scores: Record<string, number>;
  /** The labels the scorer predicts (its thresholds or argmax applied). */
  predicted: string[];
  model: { id: string; version: string };
}

/** One document's decision before and after a change: what undo and redo put back. */
export interface DecisionChange {
  key: string;
  before: DecisionState;
  after: DecisionState;
}

export function docKeyOf(doc: { id: string; pmid?: string }): string {
  return doc.pmid ? `pmid:${doc.pmid}` : `id:${doc.id}`;
}

export function decisionStateOf(doc: AnnotatedDoc): DecisionState {
  return {
    status: doc.status,
    decision: doc.decision,
    note: doc.note,
    annotator: doc.annotator,
    reviewedAt: doc.reviewedAt,
    updatedAt: doc.updatedAt,
    edited: doc.edited,
  };
}

export function withDecision(doc: AnnotatedDoc, state: DecisionState): AnnotatedDoc {
  return { ...doc, ...state };
}

export function changeOf(before: AnnotatedDoc, after: AnnotatedDoc): DecisionChange {
  return { key: before.key, before: decisionStateOf(before), after: decisionStateOf(after) };
}

/** The document with one label of its decision toggled (single-label: that label alone, or none). */
export function withLabelToggled(
  doc: AnnotatedDoc,
  label: string,
  settings: Pick<SessionSettings, 'labels' | 'task'>,
  now: number,
): AnnotatedDoc {
  let decision: string[];
  if (settings.task === 'single_label') decision = doc.decision.includes(label) ? [] : [label];
  else {
    const chosen = new Set(doc.decision);
    if (chosen.has(label)) chosen.delete(label);
    else chosen.add(label);
    // Keep the session's label order so exports are stable.
    decision = [...settings.labels.filter((name) => chosen.has(name)), ...[...chosen].filter((name) => !settings.labels.includes(name))];
  }
  return { ...doc, decision, edited: true, updatedAt: now };
}

/** The document once the annotator accepted its decision (accepted, or corrected if it differs from the prediction) or skipped it. */
export function reviewed(doc: AnnotatedDoc, kind: 'accept' | 'skip', annotator: string, now: number): AnnotatedDoc {
  const status = kind === 'skip' ? 'skipped' : acceptedStatus(doc);
  return { ...doc, status, annotator, reviewedAt: now, updatedAt: now };
}

/** The document with the model's prediction accepted as the decision (bulk accept). */
export function predictionAccepted(doc: AnnotatedDoc, annotator: string, now: number): AnnotatedDoc {
  return { ...doc, decision: doc.predicted ?? [], status: 'accepted', annotator, reviewedAt: now, updatedAt: now };
}

/** The document with new scores. Scored is no longer new, gold labels or not; only an untouched decision takes the prediction. */
export function withScores(doc: AnnotatedDoc, update: ScoreUpdate, now: number): AnnotatedDoc {
  const untouched = doc.status === 'new' && !doc.edited;
  return {
    ...doc,
    scores: update.scores,
    predicted: update.predicted,
    model: update.model,
    predictedAt: now,
    status: doc.status === 'new' ? 'predicted' : doc.status,
    decision: untouched ? update.predicted : doc.decision,
  };
}

/** Reviewed documents keep the scores the annotator decided on (the audit trail); the rest want this model's. */
export function needsScores(doc: AnnotatedDoc, model: { id: string; version: string }): boolean {
  return !REVIEWED_STATUSES.has(doc.status) && (!doc.scores || doc.model?.id !== model.id || doc.model.version !== model.version);
}

export function neighbourKey(order: readonly string[], key: string | null, delta: number): string | null {
  if (order.length === 0) return null;
  const index = key === null ? -1 : order.indexOf(key);
  if (index === -1) return order[0] ?? null;
  const target = Math.min(order.length - 1, Math.max(0, index + delta));
  return order[target] ?? null;
}

/** After a review: the next document of the queue; past the end, the first one still to review (else stay). */
export function nextToReview(order: readonly string[], docs: ReadonlyMap<string, AnnotatedDoc>, key: string): string {
  const index = order.indexOf(key);
  const following = order[index + 1];
  if (index >= 0 && following !== undefined) return following;
  const open = order.find((candidate) => candidate !== key && !REVIEWED_STATUSES.has(docs.get(candidate)?.status ?? 'new'));
  return open ?? key;
}

/** An imported record as the session keeps it. */
export function toStored(incoming: IncomingDoc, order: number, now: number): AnnotatedDoc {
  const status: AnnotationStatus = incoming.status ?? (incoming.scores && incoming.predicted ? 'predicted' : 'new');
  // Gold labels, or a decision that differs from the prediction, are human work a prediction must not replace.
  const edited =
    incoming.labels !== undefined &&
    (incoming.status === undefined || acceptedStatus({ decision: incoming.labels, predicted: incoming.predicted }) === 'corrected');
  return {
    key: docKeyOf(incoming),
    order,
    id: incoming.id,
    pmid: incoming.pmid,
    title: incoming.title,
    text: incoming.text,
    sentences: incoming.sentences ?? null,
    status,
    scores: incoming.scores,
    predicted: incoming.predicted,
    decision: incoming.labels ?? incoming.predicted ?? [],
    edited: edited || undefined,
    model: incoming.model,
    note: incoming.note ?? '',
    annotator: incoming.annotator ?? '',
    importedAt: incoming.importedAt ?? now,
    predictedAt: incoming.predictedAt,
    reviewedAt: incoming.reviewedAt ?? (REVIEWED_STATUSES.has(status) ? now : undefined),
    ...(incoming.extra ? { extra: incoming.extra } : {}),
    ...(incoming.review ? { review: incoming.review } : {}),
    updatedAt: incoming.updatedAt ?? now,
  };
}

/**
 * The new documents of an import, in order after the session's; a record whose PMID/id is already there (or
 * earlier in the same import) is a duplicate and skipped, so existing work is never replaced.
 */
export function newDocuments(
  existing: ReadonlyMap<string, AnnotatedDoc>,
  incoming: readonly IncomingDoc[],
  now: number,
): { fresh: AnnotatedDoc[]; duplicates: number } {
  let order = 0;
  for (const doc of existing.values()) order = Math.max(order, doc.order + 1);
  const seen = new Set(existing.keys());
  const fresh: AnnotatedDoc[] = [];
  let duplicates = 0;
  for (const record of incoming) {
    const key = docKeyOf(record);
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    fresh.push(toStored(record, order++, now));
  }
  return { fresh, duplicates };
}

/** Labels found in documents (decisions, scores, reviewers' decisions) that the session does not know yet, in order found. */
export function unknownLabels(known: readonly string[], docs: readonly AnnotatedDoc[]): string[] {
  const seen = new Set(known);
  const found: string[] = [];
  for (const doc of docs)
    for (const label of [...doc.decision, ...Object.keys(doc.scores ?? {}), ...(doc.review?.decisions.flatMap((d) => d.labels) ?? [])]) {
      if (!seen.has(label)) {
        seen.add(label);
        found.push(label);
      }
    }
  return found;
}
