// Over 300 lines: the RFC 4180 reader, delimiter detection, column mapping and the round trip of Labelwise-written CSV (formula guard, label lists) are one format.
/**
 * CSV/TSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) with a header row
 * and a column mapping chosen by the user (the UI's column picker) or guessed from the header.
 */
import type { LabelwiseDocument } from '../document';
import { ImportFileError, type RecordPosition } from '../issues';
import { type ParsedRecord, PMID_PATTERN, type RecordParser } from './parser';

/** Header names of the columns that hold each field. Only `text` is required. */
export interface ColumnMapping {
  text: string;
  id?: string;
  title?: string;
  pmid?: string;
  labels?: string;
  /** Between labels inside the labels column; default: `;` or `|`, whichever a cell uses. */
  labelSeparator?: string;
}

export interface CsvOptions {
  /** Field delimiter; detected from the header line when absent. */
  delimiter?: string;
  /** Columns by header name; those left out are guessed from the header (see guessColumns). */
  columns?: Partial<ColumnMapping>;
}

type RowHandler = (fields: string[], line: number, error: string | undefined) => void;

/** Streams rows out of CSV text. Line numbers are those of each row's first line. */
export class CsvRowReader {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private afterQuote = false;
  private line = 1;
  private rowLine = 1;
  private quoteLine = 0;
  private pendingCarriageReturn = false;
  private rowError: string | undefined;

  constructor(private readonly delimiter: string) {}

  push(text: string, onRow: RowHandler): void {
    const delimiter = this.delimiter;
    let i = 0;
    if (this.pendingCarriageReturn && text.startsWith('\n')) i = 1;
    this.pendingCarriageReturn = false;
    const length = text.length;
    while (i < length) {
      if (this.inQuotes) {
        const quote = text.indexOf('"', i);
        const chunk = quote === -1 ? text.slice(i) : text.slice(i, quote);
        this.field += chunk;
        this.line += countLineBreaks(chunk);
        if (quote === -1) return;
        if (quote + 1 === length) {
          // Cannot tell a closing quote from a doubled one yet: wait for the next chunk.
          this.inQuotes = false;
          this.afterQuote = true;
          return;
        }
        if (text.charCodeAt(quote + 1) === 34) {
          this.field += '"';
          i = quote + 2;
        } else {
          this.inQuotes = false;
          this.afterQuote = true;
          i = quote + 1;
        }
        continue;
      }
      const char = text[i] as string;
      if (this.afterQuote) {
        this.afterQuote = false;
        if (char === '"') {
          // The doubled quote was split across chunks.
          this.field += '"';
          this.inQuotes = true;
          i++;
          continue;
        }
        if (char !== delimiter && char !== '\n' && char !== '\r') {
          this.rowError ??= `text after a closing quote (column ${this.fields.length + 1}); quotes inside a field must be doubled`;
        }
      }
      if (char === delimiter) {
        this.fields.push(this.field);
        this.field = '';
      } else if (char === '\n' || char === '\r') {
        this.endRow(onRow);
        this.line++;
        this.rowLine = this.line;
        if (char === '\r') {
          if (i + 1 === length) this.pendingCarriageReturn = true;
          else if (text.charCodeAt(i + 1) === 10) i++;
        }
      } else if (char === '"' && this.field === '') {
        this.inQuotes = true;
        this.quoteLine = this.line;
      } else {
        this.field += char;
      }
      i++;
    }
  }

  finish(onRow: RowHandler): void {
    if (this.inQuotes) {
      this.rowError = `quoted field opened on line ${this.quoteLine} is never closed (file ends inside it)`;
      this.inQuotes = false;
    }
    if (this.field !== '' || this.fields.length > 0 || this.rowError) this.endRow(onRow);
  }

  private endRow(onRow: RowHandler): void {
    this.fields.push(this.field);
    const fields = this.fields;
    const error = this.rowError;
    this.fields = [];
    this.field = '';
    this.rowError = undefined;
    this.afterQuote = false;
    // Blank lines between rows are not records.
    if (fields.length === 1 && fields[0] === '' && !error) return;
    onRow(fields, this.rowLine, error);
  }
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  if (count === 0 && text.includes('\r')) for (const char of text) if (char === '\r') count++;
  return count;
}

const DEFAULT_LABEL_SEPARATOR = /[;|]/;

/** The columns Labelwise's CSV export writes, in order, before one `score:<label>` column per label. A file whose
 * header starts with them is read back as Labelwise wrote it (formula guard undone, label lists unescaped, audit
 * columns restored); any other CSV keeps its cells exactly. */
export const LABELWISE_CSV_COLUMNS = [
  'id',
  'pmid',
  'title',
  'text',
  'labels',
  'status',
  'annotator',
  'note',
  'model_id',
  'model_version',
  'created_at',
  'updated_at',
] as const;
export const SCORE_COLUMN_PREFIX = 'score:';

/** Cells a spreadsheet would run as a formula get a leading apostrophe; a leading apostrophe is guarded too, so
 * reading back removes exactly one. */
export function guardFormula(cell: string): string {
  return /^[=+\-@\t\r']/.test(cell) ? `'${cell}` : cell;
}

function unguardFormula(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/** Labels joined by ";"; a backslash, ";" or "|" inside a label is escaped by a backslash. */
export function encodeLabelList(labels: readonly string[]): string {
  return labels.map((label) => label.replace(/[\\;|]/g, '\\$&')).join(';');
}

function decodeLabelList(cell: string): string[] {
  const labels: string[] = [];
  let label = '';
  for (let i = 0; i < cell.length; i++) {
    const char = cell[i] as string;
    if (char === '\\' && i + 1 < cell.length) label += cell[++i];
    else if (char === ';') {
      labels.push(label);
      label = '';
    } else label += char;
  }
  if (cell !== '') labels.push(label);
  return labels;
}

function isLabelwiseHeader(header: string[]): boolean {
  return (
    LABELWISE_CSV_COLUMNS.every((name, index) => header[index] === name) &&
    header.slice(LABELWISE_CSV_COLUMNS.length).every((name) => name.startsWith(SCORE_COLUMN_PREFIX))
  );
}
const DELIMITER_CANDIDATES = [',', '\t', ';', '|'];

/** The candidate that occurs most often outside quotes in the header line (comma on a tie or none). */
export function detectDelimiter(headerLine: string): string {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const candidate of DELIMITER_CANDIDATES) {
    const count = unquoted.split(candidate).length - 1;
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}

const COLUMN_NAMES: Record<keyof Omit<ColumnMapping, 'labelSeparator'>, RegExp> = {
  id: /^(id|doc_?id|document_?id|identifier|key)$/i,
  pmid: /^(pmid|pubmed_?id)$/i,
  title: /^(title|ti|article_?title)$/i,
  text: /^(text|abstract|ab|abstract_?text|body|content|document)$/i,
  labels: /^(labels?|categor(y|ies)|class(es)?|tags?|hallmarks?|gold)$/i,
};

/** Guesses the mapping from header names; undefined when no column looks like the text. */
export function guessColumns(header: string[]): ColumnMapping | undefined {
  const find = (pattern: RegExp) => header.find((name) => pattern.test(name.trim()));
  const text = find(COLUMN_NAMES.text);
  if (text === undefined) return undefined;
  const mapping: ColumnMapping = { text };
  for (const key of ['id', 'pmid', 'title', 'labels'] as const) {
    const column = find(COLUMN_NAMES[key]);
    if (column !== undefined) mapping[key] = column;
  }
  return mapping;
}

export interface CsvHeader {
  delimiter: string;
  columns: string[];
  /** The first rows after the header, for the column picker's preview. */
  sampleRows: string[][];
  guess: ColumnMapping | undefined;
}

/** Reads the header and a few rows from the start of a file (e.g. the first 64 KiB). */
export function parseCsvHeader(start: string, delimiter?: string, sampleSize = 5): CsvHeader {
  const firstLine = start.slice(0, start.search(/\r|\n|$/));
  const chosen = delimiter ?? detectDelimiter(firstLine);
  const rows: string[][] = [];
  const reader = new CsvRowReader(chosen);
  reader.push(start, (fields) => rows.push(fields));
  const [columns = [], ...sampleRows] = rows.slice(0, sampleSize + 1);
  return { delimiter: chosen, columns, sampleRows, guess: guessColumns(columns) };
}

export function createCsvParser(options: CsvOptions, idPrefix: string): RecordParser {
  let reader: CsvRowReader | undefined;
  let head = '';
  let header: string[] | undefined;
  let indexes: Record<'id' | 'pmid' | 'title' | 'text' | 'labels', number> | undefined;
  let separator: string | RegExp = DEFAULT_LABEL_SEPARATOR;
  let recordIndex = 0;
  let labelwise = false;

  const columnIndex = (name: string | undefined, role: string): number => {
    if (name === undefined) return -1;
    const index = (header as string[]).findIndex((column) => column.trim() === name.trim());
    if (index === -1) {
      throw new ImportFileError(`${role} column "${name}" is not in the header (columns: ${(header as string[]).join(', ')})`);
    }
    return index;
  };

  const onRow = (out: ParsedRecord[]) => (fields: string[], line: number, error: string | undefined) => {
    if (header === undefined) {
      header = fields;
      const mapping = { ...guessColumns(fields), ...options.columns };
      if (mapping.text === undefined) {
        throw new ImportFileError(`no column looks like the text; choose one (columns: ${fields.join(', ')})`);
      }
      // Read as Labelwise wrote it unless the user mapped its columns otherwise.
      labelwise =
        isLabelwiseHeader(fields) &&
        (['id', 'pmid', 'title', 'text', 'labels'] as const).every((key) => mapping[key] === key) &&
        (mapping.labelSeparator ?? ';') === ';';
      separator = mapping.labelSeparator ?? DEFAULT_LABEL_SEPARATOR;
      indexes = {
        text: columnIndex(mapping.text, 'text'),
        id: columnIndex(mapping.id, 'id'),
        pmid: columnIndex(mapping.pmid, 'pmid'),
        title: columnIndex(mapping.title, 'title'),
        labels: columnIndex(mapping.labels, 'labels'),
      };
      return;
    }
    recordIndex++;
    const position: RecordPosition = { line, record: recordIndex };
    if (error) return out.push({ kind: 'error', message: error, position });
    if (fields.length !== header.length) {
      return out.push({ kind: 'error', message: `row has ${fields.length} fields, the header has ${header.length}`, position });
    }
    const at = indexes as NonNullable<typeof indexes>;
    // Text and title are kept as they are (spaces included); identifiers are trimmed.
    const exact = (index: number) => (index === -1 ? '' : labelwise ? unguardFormula(fields[index] as string) : (fields[index] as string));
    const cell = (index: number) => exact(index).trim();
    const text = exact(at.text);
    const fieldError = (column: number, message: string) =>
      out.push({ kind: 'error', message, position: { ...position, field: (header as string[])[column] } });
    if (text.trim() === '') return fieldError(at.text, 'text is empty');
    const pmid = cell(at.pmid);
    if (pmid !== '' && !PMID_PATTERN.test(pmid)) return fieldError(at.pmid, `"${pmid}" is not a PubMed id`);
    const title = exact(at.title);
    const document: LabelwiseDocument = {
      id: cell(at.id) || pmid || `${idPrefix}-${recordIndex}`,
      ...(pmid === '' ? {} : { pmid }),
      ...(title === '' ? {} : { title }),
      text: text.replace(/\r\n?/g, '\n'),
    };
    if (labelwise) {
      const audit = labelwiseAudit(fields);
      if (typeof audit === 'string') return out.push({ kind: 'error', message: audit, position });
      Object.assign(document, audit, { labels: decodeLabelList(exact(at.labels)) });
    } else if (at.labels !== -1) {
      document.labels = cell(at.labels)
        .split(separator)
        .map((label) => label.trim())
        .filter(Boolean);
    }
    out.push({ kind: 'document', document, position });
  };

  /** The audit columns of a Labelwise-written row as the JSONL export's fields, or what is wrong with them. */
  const labelwiseAudit = (fields: string[]): Record<string, unknown> | string => {
    const named = (name: (typeof LABELWISE_CSV_COLUMNS)[number]) => fields[LABELWISE_CSV_COLUMNS.indexOf(name)] as string;
    const audit: Record<string, unknown> = {};
    for (const name of ['status', 'annotator', 'note'] as const) {
      const value = unguardFormula(named(name));
      if (value !== '') audit[name] = value;
    }
    if (named('model_id') !== '') audit.model = { id: named('model_id'), version: named('model_version') };
    for (const name of ['created_at', 'updated_at'] as const) if (named(name) !== '') audit[name] = named(name);
    const scores: Record<string, number> = {};
    for (let index = LABELWISE_CSV_COLUMNS.length; index < fields.length; index++) {
      const value = (fields[index] as string).trim();
      if (value === '') continue;
      const column = (header as string[])[index] as string;
      const score = Number(value);
      if (!Number.isFinite(score)) return `column "${column}": "${value}" is not a number`;
      scores[column.slice(SCORE_COLUMN_PREFIX.length)] = score;
    }
    if (Object.keys(scores).length > 0) audit.scores = scores;
    return audit;
  };

  const feed = (text: string, out: ParsedRecord[]) => {
    if (reader === undefined) {
      // The delimiter is detected on the complete header line.
      head += text;
      const end = head.search(/\r|\n/);
      if (end === -1) return;
      reader = new CsvRowReader(options.delimiter ?? detectDelimiter(head.slice(0, end)));
      text = head;
      head = '';
    }
    reader.push(text, onRow(out));
  };

  return {
    push(text) {
      const out: ParsedRecord[] = [];
      feed(text, out);
      return out;
    },
    finish() {
      const out: ParsedRecord[] = [];
      if (reader === undefined && head !== '') reader = new CsvRowReader(options.delimiter ?? detectDelimiter(head));
      if (reader !== undefined) {
        if (head !== '') reader.push(head, onRow(out));
        reader.finish(onRow(out));
      }
      if (header === undefined) throw new ImportFileError('the file is empty: expected a header row');
      return out;
    },
  };
}
