/** JSON Lines in the dataset shape (docs/model-contract.md), or just {"text": ...} per line. */
import { errorMessage } from '../../core/errors';
import type { LabelwiseDocument, SentenceSpan } from '../document';
import { ImportFileError, type RecordPosition } from '../issues';
import { lineRecordParser, type ParsedRecord, PMID_PATTERN, type RecordParser } from './parser';

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function validSentences(value: unknown, textLength: number): SentenceSpan[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) throw new FieldError('sentences', 'must be a list of {start, end, labels}');
  return value.map((span: unknown, i): SentenceSpan => {
    const where = `sentences[${i}]`;
    if (typeof span !== 'object' || span === null) throw new FieldError(where, 'must be an object');
    const { start, end, labels } = span as Record<string, unknown>;
    if (!Number.isInteger(start) || !Number.isInteger(end)) throw new FieldError(where, 'start and end must be integers');
    const [from, to] = [start as number, end as number];
    if (from < 0 || from > to || to > textLength) {
      throw new FieldError(where, `span ${from}..${to} lies outside the text (length ${textLength})`);
    }
    if (labels !== undefined && !isStringList(labels)) throw new FieldError(`${where}.labels`, 'must be a list of strings');
    return { ...(span as SentenceSpan) };
  });
}

/** Checks one parsed line; throws FieldError naming the field at fault. */
export function toDocument(value: unknown, fallbackId: string): LabelwiseDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError('', `expected a JSON object, got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
  }
  const record = value as Record<string, unknown>;
  const { id, pmid, title, text, labels, sentences } = record;
  if (typeof text !== 'string') throw new FieldError('text', text === undefined ? 'is missing' : 'must be a string');
  if (text.trim() === '') throw new FieldError('text', 'is empty');
  const document: LabelwiseDocument = { id: fallbackId, ...record, text };
  if (id !== undefined && id !== null) {
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id).trim() === '') {
      throw new FieldError('id', 'must be a non-empty string or a number');
    }
    document.id = String(id);
  }
  if (pmid === undefined || pmid === null || pmid === '') delete document.pmid;
  else {
    const pmidText = String(pmid);
    if ((typeof pmid !== 'string' && typeof pmid !== 'number') || !PMID_PATTERN.test(pmidText)) {
      throw new FieldError('pmid', `must be a PubMed id (digits), got ${JSON.stringify(pmid)}`);
    }
    document.pmid = pmidText;
  }
  if (title === undefined || title === null) delete document.title;
  else if (typeof title !== 'string') throw new FieldError('title', 'must be a string');
  if (labels === undefined || labels === null) delete document.labels;
  else if (!isStringList(labels)) throw new FieldError('labels', 'must be a list of strings');
  if (sentences === undefined) delete document.sentences;
  else document.sentences = validSentences(sentences, text.length);
  return document;
}

export function createJsonlParser(idPrefix: string): RecordParser {
  let recordIndex = 0;

  const onLine = (out: ParsedRecord[]) => (line: string, lineNumber: number) => {
    if (line.trim() === '') return;
    if (recordIndex === 0 && line.trimStart().startsWith('[')) {
      throw new ImportFileError('this is a JSON array, not JSON Lines: expected one JSON object per line');
    }
    recordIndex++;
    const position: RecordPosition = { line: lineNumber, record: recordIndex };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      out.push({ kind: 'error', message: `not valid JSON (${errorMessage(error)})`, position });
      return;
    }
    try {
      out.push({ kind: 'document', document: toDocument(value, `${idPrefix}-${lineNumber}`), position });
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      const field = error.field ? { field: error.field } : {};
      out.push({ kind: 'error', message: `${error.field ? `${error.field} ` : ''}${error.message}`, position: { ...position, ...field } });
    }
  };

  return lineRecordParser(onLine);
}
