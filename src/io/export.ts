/**
 * Export of annotations: JSON Lines in the dataset shape (labels = the human decision) plus audit
 * fields, which import again to continue a session and which train/ reads (it ignores the audit
 * fields); CSV for spreadsheets; and RIS for reference managers (the record as it came, plus the
 * decision in KW/N1 fields Zotero and EndNote keep and search).
 */
import type { LabelwiseDocument } from './document';
import { encodeLabelList, guardFormula, LABELWISE_CSV_COLUMNS, SCORE_COLUMN_PREFIX } from './formats/csv';
import { DECISION_PREFIX, isDecisionField, type RisField, risFieldsOf } from './formats/ris';

/** Where a document is in the review: the model has not seen it, has predicted it, or a human has decided. */
export type AnnotationStatus = 'new' | 'predicted' | 'accepted' | 'corrected' | 'skipped';
export const ANNOTATION_STATUSES: readonly AnnotationStatus[] = ['new', 'predicted', 'accepted', 'corrected', 'skipped'];

/** One annotated document as exchanged (export, re-import); the session keeps it as src/store/db.ts's AnnotatedDoc. */
export interface AnnotationRecord {
  document: LabelwiseDocument;
  status: AnnotationStatus;
  /** The human decision (starts as the model's prediction). */
  labels: string[];
  model?: { id: string; version: string };
  /** The model's probability per label name. */
  scores?: Record<string, number>;
  annotator?: string;
  note?: string;
  /** ISO 8601. */
  createdAt?: string;
  updatedAt?: string;
  /** A resolved conflict between reviewers: each one's decision; `annotator` is then the resolver. */
  review?: ReviewRecord;
}

export interface ReviewerDecision {
  annotator: string;
  labels: string[];
}

export interface ReviewRecord {
  decisions: ReviewerDecision[];
}

/** corrected: changed by a human; reviewed: accepted or corrected; all: every document, whatever its status. */
export type ExportSelection = 'corrected' | 'reviewed' | 'all';

export function selectForExport<T extends Pick<AnnotationRecord, 'status'>>(items: Iterable<T>, selection: ExportSelection): T[] {
  const keep = (status: AnnotationStatus) =>
    selection === 'all' || status === 'corrected' || (selection === 'reviewed' && status === 'accepted');
  return [...items].filter((item) => keep(item.status));
}

/** One exported record: the document's own fields, `labels` = the decision, then the audit fields (snake_case, for train/). */
export function toExportRecord(item: AnnotationRecord): Record<string, unknown> {
  // Audit fields the document brought from an earlier export are replaced by the current ones.
  const { status, annotator, note, model, scores, created_at, updated_at, review, ...document } = item.document;
  const record: Record<string, unknown> = { ...document, labels: [...item.labels], status: item.status };
  if (item.annotator) record.annotator = item.annotator;
  if (item.note) record.note = item.note;
  if (item.model) record.model = { id: item.model.id, version: item.model.version };
  if (item.scores) record.scores = item.scores;
  if (item.createdAt) record.created_at = item.createdAt;
  if (item.updatedAt) record.updated_at = item.updatedAt;
  if (item.review) record.review = { decisions: item.review.decisions.map((decision) => ({ ...decision, labels: [...decision.labels] })) };
  return record;
}

/** JSON Lines, one line per document (each ends with "\n"); a generator so large exports stream. */
export function* exportJsonl(items: Iterable<AnnotationRecord>): Generator<string> {
  for (const item of items) yield `${JSON.stringify(toExportRecord(item))}\n`;
}

/**
 * Reads back the annotation of a document imported from an earlier JSONL export, so a session can
 * continue; undefined for documents that carry no status.
 */
export function annotationFromImport(document: LabelwiseDocument): AnnotationRecord | undefined {
  // The exported labels were the decision: they move from the document to the annotation.
  const { status, annotator, note, model, scores, created_at, updated_at, review, labels, ...rest } = document;
  if (typeof status !== 'string' || !(ANNOTATION_STATUSES as readonly string[]).includes(status)) return undefined;
  const item: AnnotationRecord = { document: rest as LabelwiseDocument, status: status as AnnotationStatus, labels: [...(labels ?? [])] };
  if (typeof annotator === 'string') item.annotator = annotator;
  if (typeof note === 'string') item.note = note;
  if (isModelRef(model)) item.model = { id: model.id, version: model.version };
  if (isScores(scores)) item.scores = { ...scores };
  if (typeof created_at === 'string') item.createdAt = created_at;
  if (typeof updated_at === 'string') item.updatedAt = updated_at;
  if (isReview(review)) item.review = { decisions: review.decisions.map((decision) => ({ ...decision, labels: [...decision.labels] })) };
  return item;
}

function isReview(value: unknown): value is ReviewRecord {
  const decisions = (value as { decisions?: unknown } | null)?.decisions;
  return (
    Array.isArray(decisions) &&
    decisions.every(
      (decision) =>
        typeof decision?.annotator === 'string' &&
        Array.isArray(decision.labels) &&
        decision.labels.every((label: unknown) => typeof label === 'string'),
    )
  );
}

function isModelRef(value: unknown): value is { id: string; version: string } {
  const model = value as { id?: unknown; version?: unknown } | null;
  return typeof model === 'object' && model !== null && typeof model.id === 'string' && typeof model.version === 'string';
}

function isScores(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && Object.values(value).every((score) => typeof score === 'number');
}

export interface CsvExportOptions {
  /** Score columns, in this order (e.g. the model's labels); default: every label seen, in order of appearance. */
  labelNames?: string[];
  /** Default ",". */
  delimiter?: string;
}

/**
 * CSV (RFC 4180) for spreadsheets: labels joined by ";" (";", "|" and "\\" inside a label escaped by "\\"), one
 * `score:<label>` column per label. Text cells that a spreadsheet would run as a formula (=, +, -, @) or that start
 * with an apostrophe get a leading apostrophe. Importing the file restores what was exported (formats/csv.ts).
 */
export function* exportCsv(items: readonly AnnotationRecord[], options: CsvExportOptions = {}): Generator<string> {
  const delimiter = options.delimiter ?? ',';
  const labelNames = options.labelNames ?? [...new Set(items.flatMap((item) => Object.keys(item.scores ?? {})))];
  const row = (cells: string[]) => `${cells.map((cell) => quoteCsv(cell, delimiter)).join(delimiter)}\r\n`;
  yield row([...LABELWISE_CSV_COLUMNS, ...labelNames.map((name) => `${SCORE_COLUMN_PREFIX}${name}`)]);
  for (const item of items) {
    const { document } = item;
    const text = [
      document.id,
      document.pmid ?? '',
      document.title ?? '',
      document.text,
      encodeLabelList(item.labels),
      item.status,
      item.annotator ?? '',
      item.note ?? '',
    ].map(guardFormula);
    const audit = [item.model?.id ?? '', item.model?.version ?? '', item.createdAt ?? '', item.updatedAt ?? ''];
    const scores = labelNames.map((name) => {
      const score = item.scores?.[name];
      return score === undefined ? '' : String(score);
    });
    yield row([...text, ...audit, ...scores]);
  }
}

function quoteCsv(cell: string, delimiter: string): string {
  return cell.includes('"') || cell.includes(delimiter) || /[\r\n]/.test(cell) || cell !== cell.trim()
    ? `"${cell.replaceAll('"', '""')}"`
    : cell;
}

/** Line breaks inside a built value would start new, untagged lines: they become spaces. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** The RIS record of a document from another format, built from its fields (TY JOUR, TI, AB, AN, DO, KW). */
function builtRisFields(document: LabelwiseDocument): RisField[] {
  const fields: RisField[] = [['TY', 'JOUR']];
  if (document.title) fields.push(['TI', oneLine(document.title)]);
  if (document.text) fields.push(['AB', oneLine(document.text)]);
  if (document.pmid) fields.push(['AN', document.pmid]);
  if (typeof document.doi === 'string') fields.push(['DO', document.doi]);
  const keywords = Array.isArray(document.keywords) ? document.keywords.filter((keyword) => typeof keyword === 'string') : [];
  for (const keyword of keywords) fields.push(['KW', oneLine(keyword)]);
  // The id of a record without a PMID would otherwise be lost on the way back.
  if (!document.pmid) fields.push(['N1', `${DECISION_PREFIX} id: ${document.id}`]);
  return fields;
}

/** The decision as fields a reference manager keeps: labels as prefixed keywords, the rest as notes. */
function decisionRisFields(item: AnnotationRecord): RisField[] {
  const fields: RisField[] = item.labels.map((label) => ['KW', `${DECISION_PREFIX}:${label}`]);
  fields.push(['N1', `${DECISION_PREFIX} status: ${item.status}`]);
  if (item.annotator) fields.push(['N1', `${DECISION_PREFIX} annotator: ${oneLine(item.annotator)}`]);
  if (item.note) fields.push(['N1', `${DECISION_PREFIX} note: ${oneLine(item.note)}`]);
  for (const decision of item.review?.decisions ?? []) {
    fields.push(['N1', `${DECISION_PREFIX} reviewer ${oneLine(decision.annotator)}: ${decision.labels.join('; ') || '(no labels)'}`]);
  }
  return fields;
}

/**
 * RIS, one record per document (CRLF line ends, as the RIS spec writes them): a record imported
 * from RIS comes back field for field, with the decision fields of an earlier export replaced by
 * the current decision; other documents get a record built from their fields.
 */
export function* exportRis(items: Iterable<AnnotationRecord>): Generator<string> {
  for (const item of items) {
    const original = risFieldsOf(item.document)?.filter((field) => !isDecisionField(field)) ?? builtRisFields(item.document);
    const lines = [...original, ...decisionRisFields(item)].map(([tag, value]) => `${tag}  - ${value.replace(/\r?\n/g, '\r\n')}`);
    yield `${lines.join('\r\n')}\r\nER  - \r\n\r\n`;
  }
}
