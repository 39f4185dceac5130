/** Where a record sits in its source, for messages a user can act on. All fields are 1-based. */
export interface RecordPosition {
  line?: number;
  /** Index of the record in the file (article, row, block). */
  record?: number;
  /** Element path in XML, e.g. `PubmedArticleSet/PubmedArticle[3]/MedlineCitation`. */
  path?: string;
  /** The field or column at fault, when one is. */
  field?: string;
}

/**
 * error: the record is malformed and was not imported. skipped: well-formed but not importable
 * (e.g. an article without an abstract). duplicate: same PMID or id as an earlier record.
 */
export type IssueKind = 'error' | 'skipped' | 'duplicate';

export interface ImportIssue {
  kind: IssueKind;
  message: string;
  position: RecordPosition;
  /** The record's PMID, when it has one (PubMed formats). */
  pmid?: string;
}

/** A problem with the whole input (binary file, unknown column, unreadable format): nothing can be imported. */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
}

/** `notes.csv:12 (record 11, column "labels"): message` */
export function describeIssue(issue: ImportIssue, sourceName?: string): string {
  const { line, record, path, field } = issue.position;
  let where = sourceName ?? '';
  if (line !== undefined) where += where ? `:${line}` : `line ${line}`;
  const details: string[] = [];
  if (record !== undefined) details.push(`record ${record}`);
  if (path) details.push(path);
  if (field) details.push(`field "${field}"`);
  if (details.length > 0) where += `${where ? ' ' : ''}(${details.join(', ')})`;
  return where ? `${where}: ${issue.kind === 'error' ? '' : `${issue.kind}: `}${issue.message}` : issue.message;
}
