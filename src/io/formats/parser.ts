import type { LabelwiseDocument } from '../document';
import type { ImportIssue, RecordPosition } from '../issues';
import { LineSplitter } from '../lines';

export type ParsedRecord = { kind: 'document'; document: LabelwiseDocument; position: RecordPosition } | ImportIssue;

/** A push parser: fed decoded text in chunks of any size, it returns the records each chunk completes. */
export interface RecordParser {
  push(text: string): ParsedRecord[];
  /** End of input: returns the records still pending (and errors for anything left incomplete). */
  finish(): ParsedRecord[];
}

/**
 * A RecordParser for a line-based format: `onLine(out)` handles one line, pushing the records it
 * completes to `out`; `atEnd(out)` flushes whatever the last line left open.
 */
export function lineRecordParser(
  onLine: (out: ParsedRecord[]) => (line: string, lineNumber: number) => void,
  atEnd: (out: ParsedRecord[]) => void = () => {},
): RecordParser {
  const lines = new LineSplitter();
  return {
    push(text) {
      const out: ParsedRecord[] = [];
      lines.push(text, onLine(out));
      return out;
    },
    finish() {
      const out: ParsedRecord[] = [];
      lines.finish(onLine(out));
      atEnd(out);
      return out;
    },
  };
}

/** What to do with an article that has a title but no abstract. */
export type WithoutAbstract = 'skip' | 'keep';

/** Collapses runs of ASCII whitespace (line wraps, XML indentation) to single spaces; thin and no-break spaces stay. */
export function normalizeSpace(text: string): string {
  // Matches only runs that change (not a lone space): most text passes through untouched.
  const collapsed = text.replace(/[\t\r\n][ \t\r\n]*| [ \t\r\n]+/g, ' ');
  const start = collapsed.startsWith(' ') ? 1 : 0;
  const end = collapsed.endsWith(' ') ? collapsed.length - 1 : collapsed.length;
  return start === 0 && end === collapsed.length ? collapsed : collapsed.slice(start, end);
}

export const PMID_PATTERN = /^[1-9][0-9]{0,9}$/;

/** Builds the document of a PubMed record, or the reason it cannot be imported. */
export function pubmedRecord(
  pmid: string | undefined,
  title: string,
  abstract: string,
  position: RecordPosition,
  withoutAbstract: WithoutAbstract,
): ParsedRecord {
  if (pmid === undefined || pmid === '') return { kind: 'error', message: 'record has no PMID', position };
  if (!PMID_PATTERN.test(pmid)) return { kind: 'error', message: `PMID "${pmid}" is not a number`, position };
  if (abstract === '') {
    if (title === '') return { kind: 'skipped', message: `PMID ${pmid} has neither title nor abstract`, position, pmid };
    if (withoutAbstract === 'skip') return { kind: 'skipped', message: `PMID ${pmid} has no abstract`, position, pmid };
  }
  const document: LabelwiseDocument = title === '' ? { id: pmid, pmid, text: abstract } : { id: pmid, pmid, title, text: abstract };
  return { kind: 'document', document, position };
}
