/**
 * The annotation session <-> src/io's export records. An export carries `labels` = the human decision plus
 * audit fields (src/io/export.ts); re-importing it restores the session (status, decision, scores).
 * Audit fields src/io does not name (the model's own labels, when predicted / reviewed) travel as extra
 * document fields, which src/io keeps on export and hands back on import.
 */
import type { LabelwiseDocument } from '../io/document';
import { type AnnotationRecord, annotationFromImport } from '../io/export';
import type { IncomingDoc } from './annotation';
import type { AnnotatedDoc } from './db';

const iso = (time: number) => new Date(time).toISOString();

/** Document fields the session keeps apart from `extra` (the rest of an imported record travels in `extra`). */
const SESSION_FIELDS = new Set(['id', 'pmid', 'title', 'text', 'labels', 'sentences', 'model_labels', 'predicted_at', 'reviewed_at']);

export function toAnnotationRecord(doc: AnnotatedDoc): AnnotationRecord {
  const document: LabelwiseDocument = {
    ...doc.extra,
    id: doc.id,
    ...(doc.pmid ? { pmid: doc.pmid } : {}),
    ...(doc.title ? { title: doc.title } : {}),
    text: doc.text,
    labels: doc.decision,
    ...(doc.sentences ? { sentences: doc.sentences } : {}),
    ...(doc.predicted ? { model_labels: doc.predicted } : {}),
    ...(doc.predictedAt ? { predicted_at: iso(doc.predictedAt) } : {}),
    ...(doc.reviewedAt ? { reviewed_at: iso(doc.reviewedAt) } : {}),
  };
  return {
    document,
    status: doc.status,
    labels: doc.decision,
    ...(doc.model ? { model: doc.model } : {}),
    ...(doc.scores ? { scores: doc.scores } : {}),
    ...(doc.annotator ? { annotator: doc.annotator } : {}),
    ...(doc.note ? { note: doc.note } : {}),
    createdAt: iso(doc.importedAt),
    updatedAt: iso(doc.updatedAt),
    ...(doc.review ? { review: doc.review } : {}),
  };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function time(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * An imported record as a session document. Records of an earlier export come back with their status,
 * decision, scores and audit fields; plain dataset records keep their gold `labels` as the decision.
 */
export function fromImportedRecord(record: LabelwiseDocument): IncomingDoc {
  const annotation = annotationFromImport(record);
  const document = annotation?.document ?? record;
  const extra = Object.fromEntries(Object.entries(document).filter(([name]) => !SESSION_FIELDS.has(name)));
  return {
    id: document.id,
    pmid: document.pmid,
    title: document.title,
    text: document.text,
    sentences: document.sentences ?? null,
    labels: annotation ? annotation.labels : stringList(document.labels),
    status: annotation?.status,
    scores: annotation?.scores,
    predicted: stringList(document.model_labels),
    model: annotation?.model,
    note: annotation?.note,
    annotator: annotation?.annotator,
    importedAt: time(annotation?.createdAt),
    predictedAt: time(document.predicted_at),
    reviewedAt: time(document.reviewed_at),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
    ...(annotation?.review ? { review: annotation.review } : {}),
    updatedAt: time(annotation?.updatedAt),
  };
}
