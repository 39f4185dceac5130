/**
 * src/io — documents in and out of Labelwise. Pure TypeScript: no DOM, no Node APIs, so the
 * browser worker and the CLI share it. Files come in through one seam, `ImportSource`:
 *
 *   browser: { chunks: file.stream(), name: file.name, totalBytes: file.size }
 *   Node:    { chunks: fs.createReadStream(path), name: path, totalBytes: (await stat(path)).size }
 *   paste:   { chunks: text }                        (or importText(text))
 *
 * Import
 *   readDocuments(source, options)  async generator of ImportBatch {format, documents, issues,
 *                                   progress: {bytesRead, totalBytes}, counts}: one batch per chunk
 *                                   read, counts are running totals (final in the last batch).
 *   importAll(source, options)      the same, collected: {format, documents, issues, counts}.
 *   importText(text, options)       pasted text.
 *   options: format ('auto' | 'medline' | 'pubmed-xml' | 'ris' | 'jsonl' | 'csv' | 'tsv' | 'txt'),
 *            csv: {delimiter?, columns?: {text, id?, title?, pmid?, labels?, labelSeparator?}},
 *            withoutAbstract: 'skip' (default: reported as skipped) | 'keep' (text ""),
 *            dedupe (default true: later records with a seen PMID, DOI or id are reported as duplicates),
 *            idPrefix (ids for records without one: `${idPrefix}-${n}`).
 *   Bad records never stop an import: each becomes an ImportIssue {kind: 'error' | 'skipped' |
 *   'duplicate', message, position: {line?, record?, path?, field?}}; describeIssue() formats it.
 *   Problems with the whole input (binary file, CSV without a text column, empty CSV) throw
 *   ImportFileError.
 *   Column picker: readHeader(source, delimiter?) -> {delimiter, columns, sampleRows, guess};
 *   guessColumns(header). Format: sniffFormat(source) / detectFormat(startText, name).
 *   readHeader and sniffFormat consume the start of the source: give them a fresh one.
 *
 * PubMed by PMID (online): fetchPubmed(pmids, {fetch, apiKey?, batchSize = 200, signal, onProgress})
 *   -> {documents, issues, counts}; efetch XML in batches, 3 requests/s (10 with an API key).
 *
 * Documents: LabelwiseDocument {id, pmid?, title?, text (the abstract), labels?, sentences?, ...extra}.
 *   classifierInput(doc, 'abstract' | 'title+abstract') -> {text, abstractStart}.
 *
 * RIS: records keep their fields verbatim in `ris` ([tag, value] in order), with `doi` and `keywords`
 *   beside id/pmid/title/text; a Labelwise RIS export's decision (KW labelwise:…, N1 labelwise …) reads back.
 * Agreement (src/io/agreement.ts): pairAgreement(a, b) per label percent agreement, Cohen's kappa with
 *   95% CI and both/only_a/only_b/neither; groupAgreement(reviewers) Fleiss' kappa; conflicts(reviewers).
 *
 * Export: AnnotationRecord {document, status, labels (the decision), model?, scores?, annotator?,
 *   note?, createdAt?, updatedAt?}; selectForExport(items, 'corrected' | 'reviewed' | 'all');
 *   exportJsonl(items), exportCsv(items, {labelNames?}) and exportRis(items) yield the file record by
 *   record (RIS: an imported RIS record as it came, plus KW `labelwise:<label>` and N1 `labelwise …`);
 *   annotationFromImport(doc) restores an AnnotationRecord from a re-imported JSONL export.
 */

export { detectFormat, FORMATS, type Format, type FormatOption } from './detect';
export {
  type ClassifierInput,
  type ClassifierInputSetting,
  classifierInput,
  type LabelwiseDocument,
  type SentenceSpan,
  TITLE_ABSTRACT_SEPARATOR,
} from './document';
export { EFETCH_URL, type FetchLike, type FetchPubmedOptions, type FetchPubmedResult, fetchPubmed, requestInterval } from './eutils';
export {
  ANNOTATION_STATUSES,
  type AnnotationRecord,
  type AnnotationStatus,
  annotationFromImport,
  type CsvExportOptions,
  type ExportSelection,
  exportCsv,
  exportJsonl,
  exportRis,
  type ReviewerDecision,
  type ReviewRecord,
  selectForExport,
  toExportRecord,
} from './export';
export { type ColumnMapping, type CsvHeader, type CsvOptions, guessColumns } from './formats/csv';
export type { WithoutAbstract } from './formats/parser';
export {
  type ImportBatch,
  type ImportCounts,
  type ImportProgress,
  type ImportResult,
  importAll,
  importText,
  type ReadOptions,
  readDocuments,
  readHeader,
  sniffFormat,
} from './import';
export { describeIssue, ImportFileError, type ImportIssue, type IssueKind, type RecordPosition } from './issues';
export type { ChunkSource, ImportSource, ReadableByteStreamLike } from './source';
