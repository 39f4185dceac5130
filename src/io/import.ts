/** The import pipeline: source → decoded text → format parser → dedupe → batches with progress. */
import { detectFormat, extensionOf, type Format, type FormatOption } from './detect';
import type { LabelwiseDocument } from './document';
import { type CsvHeader, type CsvOptions, createCsvParser, parseCsvHeader } from './formats/csv';
import { createJsonlParser } from './formats/jsonl';
import { createMedlineParser } from './formats/medline';
import type { ParsedRecord, RecordParser, WithoutAbstract } from './formats/parser';
import { createPubmedXmlParser } from './formats/pubmed-xml';
import { createRisParser } from './formats/ris';
import { createTxtParser } from './formats/txt';
import type { ImportIssue } from './issues';
import { decodeSource, type ImportSource, readStart } from './source';

export interface ReadOptions {
  /** Default `auto`: sniffed from the content, then the extension. */
  format?: FormatOption;
  /** CSV/TSV delimiter and column mapping (guessed from the header when absent). */
  csv?: CsvOptions;
  /** PubMed articles with a title but no abstract: `skip` (default, reported as skipped) or `keep` (text ""). */
  withoutAbstract?: WithoutAbstract;
  /** Drop records whose PMID or id was seen earlier in this import (default true), reporting each. */
  dedupe?: boolean;
  /** Ids given to records that have none (txt blocks, JSONL without id): `${idPrefix}-${n}`. Default: the file name's stem, or "text". */
  idPrefix?: string;
}

export interface ImportCounts {
  imported: number;
  failed: number;
  skipped: number;
  duplicates: number;
}

export interface ImportProgress {
  bytesRead: number;
  /** Absent when the source did not say how big it is. */
  totalBytes?: number;
}

/** What one step of an import produced; `counts` are running totals, final in the last batch. */
export interface ImportBatch {
  format: Format;
  documents: LabelwiseDocument[];
  issues: ImportIssue[];
  progress: ImportProgress;
  counts: ImportCounts;
}

export interface ImportResult {
  format: Format;
  documents: LabelwiseDocument[];
  issues: ImportIssue[];
  counts: ImportCounts;
}

function createParser(format: Format, options: ReadOptions, idPrefix: string): RecordParser {
  const withoutAbstract = options.withoutAbstract ?? 'skip';
  switch (format) {
    case 'medline':
      return createMedlineParser(withoutAbstract);
    case 'pubmed-xml':
      return createPubmedXmlParser(withoutAbstract);
    case 'ris':
      return createRisParser(withoutAbstract, idPrefix);
    case 'jsonl':
      return createJsonlParser(idPrefix);
    case 'csv':
      return createCsvParser(options.csv ?? {}, idPrefix);
    case 'tsv':
      return createCsvParser({ delimiter: '\t', ...options.csv }, idPrefix);
    case 'txt':
      return createTxtParser(idPrefix);
  }
}

function defaultIdPrefix(name: string | undefined): string {
  if (!name) return 'text';
  const base = name.replace(/^.*[\\/]/, '');
  const extension = extensionOf(base);
  return (extension ? base.slice(0, -extension.length - 1) : base) || 'text';
}

/** Drops records whose PMID, DOI or id was seen before; each key counts, so a JSONL row and its PubMed record collide. */
export class Deduplicator {
  private readonly ids = new Set<string>();
  private readonly pmids = new Set<string>();
  private readonly dois = new Set<string>();

  /** Undefined when new (and remembers it); otherwise why it is a duplicate. */
  check(document: LabelwiseDocument): string | undefined {
    if (document.pmid !== undefined && this.pmids.has(document.pmid)) return `duplicate of an earlier record with PMID ${document.pmid}`;
    const doi = typeof document.doi === 'string' ? document.doi.toLowerCase() : undefined;
    if (doi !== undefined && this.dois.has(doi)) return `duplicate of an earlier record with DOI ${doi}`;
    if (this.ids.has(document.id)) return `duplicate of an earlier record with id "${document.id}"`;
    this.ids.add(document.id);
    if (document.pmid !== undefined) this.pmids.add(document.pmid);
    if (doi !== undefined) this.dois.add(doi);
    return undefined;
  }
}

/**
 * Reads documents incrementally: one batch per chunk of input, so a caller can show progress and
 * keep the page responsive. Bad records become issues with their position; reading goes on.
 * Throws ImportFileError for problems with the whole input (binary file, unknown CSV column).
 * The source is read once: for `auto` detection the start is kept and replayed, not re-read.
 */
export async function* readDocuments(source: ImportSource, options: ReadOptions = {}): AsyncGenerator<ImportBatch> {
  const chunks = decodeSource(source);
  const counts: ImportCounts = { imported: 0, failed: 0, skipped: 0, duplicates: 0 };
  const dedupe = options.dedupe === false ? undefined : new Deduplicator();
  let format: Format | undefined = options.format === 'auto' ? undefined : options.format;
  let parser: RecordParser | undefined;
  let held = '';
  let progress: ImportProgress = { bytesRead: 0, totalBytes: source.totalBytes };

  const batch = (records: ParsedRecord[]): ImportBatch => {
    const documents: LabelwiseDocument[] = [];
    const issues: ImportIssue[] = [];
    for (const record of records) {
      if (record.kind !== 'document') {
        issues.push(record);
        counts[record.kind === 'error' ? 'failed' : record.kind === 'skipped' ? 'skipped' : 'duplicates']++;
        continue;
      }
      const duplicate = dedupe?.check(record.document);
      if (duplicate) {
        issues.push({ kind: 'duplicate', message: duplicate, position: record.position });
        counts.duplicates++;
        continue;
      }
      documents.push(record.document);
      counts.imported++;
    }
    return { format: format as Format, documents, issues, progress, counts: { ...counts } };
  };

  const start = (text: string) => {
    format ??= detectFormat(text, source.name);
    parser = createParser(format, options, options.idPrefix ?? defaultIdPrefix(source.name));
  };

  for await (const chunk of chunks) {
    progress = { bytesRead: chunk.bytesRead, totalBytes: source.totalBytes };
    if (parser === undefined) {
      // Sniff on at least 4 KiB (or the whole input if shorter).
      held += chunk.text;
      if (format === undefined && held.length < 4096) continue;
      start(held);
      chunk.text = held;
      held = '';
    }
    yield batch((parser as RecordParser).push(chunk.text));
  }
  if (parser === undefined) start(held);
  const records = held === '' ? [] : (parser as RecordParser).push(held);
  records.push(...(parser as RecordParser).finish());
  yield batch(records);
}

/** Reads a whole source into memory (small files, pasted text, tests). */
export async function importAll(source: ImportSource, options: ReadOptions = {}): Promise<ImportResult> {
  const result: ImportResult = {
    format: 'txt',
    documents: [],
    issues: [],
    counts: { imported: 0, failed: 0, skipped: 0, duplicates: 0 },
  };
  for await (const batch of readDocuments(source, options)) {
    result.format = batch.format;
    result.documents.push(...batch.documents);
    result.issues.push(...batch.issues);
    result.counts = batch.counts;
  }
  return result;
}

/** Imports pasted text (format sniffed unless given). */
export function importText(text: string, options: ReadOptions = {}): Promise<ImportResult> {
  return importAll({ chunks: text, totalBytes: text.length }, options);
}

/** Header, sample rows, detected delimiter and guessed mapping: what a column picker needs. Pass a fresh source. */
export async function readHeader(source: ImportSource, delimiter?: string): Promise<CsvHeader> {
  const start = await readStart(source);
  const tsv = extensionOf(source.name) === 'tsv' || extensionOf(source.name) === 'tab';
  return parseCsvHeader(start, delimiter ?? (tsv ? '\t' : undefined));
}

/** Sniffs the format of a source (reads its first 64 KiB). Pass a fresh source. */
export async function sniffFormat(source: ImportSource): Promise<Format> {
  return detectFormat(await readStart(source, 4096), source.name);
}
