/**
 * RIS (Research Information Systems), as Zotero, EndNote, Mendeley, PubMed and Ovid write it:
 * `TY  - JOUR` opens a record, `XX  - value` lines follow (tag, two spaces, hyphen, space), `ER  -`
 * closes it. Lines that are not tag lines continue the value before them (EndNote and Ovid wrap
 * abstracts that way). The record is kept verbatim in `ris` — every [tag, value] in order, the
 * value's own line breaks included — so an export gives back what came in.
 *
 * A line parser of its own rather than @citation-js/plugin-ris: that one maps records to CSL-JSON,
 * which drops the tag order, repeated and unknown tags, and the line numbers errors must cite.
 */
import type { LabelwiseDocument } from '../document';
import type { RecordPosition } from '../issues';
import { lineRecordParser, normalizeSpace, type ParsedRecord, PMID_PATTERN, type RecordParser, type WithoutAbstract } from './parser';

/** One field of a RIS record: its tag and its value (line breaks of continuation lines kept). */
export type RisField = [tag: string, value: string];

/** Prefix of the fields Labelwise writes into an exported record (KW for labels, N1 for the rest). */
export const DECISION_PREFIX = 'labelwise';

/** `N1  - labelwise status: corrected`, `… annotator: kim`, `… note: …`, `… id: text-3` (the id of a record built from another format). */
const DECISION_NOTE = new RegExp(`^${DECISION_PREFIX} (status|annotator|note|id): (.*)$`, 's');

const TAG_LINE = /^([A-Z][A-Z0-9]) {2}-(?: (.*))?$/;
const PMID_IN_TEXT = /\bPMID:?\s*([1-9][0-9]{0,9})\b/i;
const DOI_IN_URL = /^https?:\/\/(?:dx\.)?doi\.org\/(10\.\S+)$/i;
/** A bare accession number is a PMID unless the record names another database (Embase's are digits too). */
const NON_PUBMED_DATABASE = /embase|psycinfo|cinahl|web of science|scopus/i;

interface OpenRecord {
  startLine: number;
  fields: RisField[];
  /** Blank lines seen since the last line: kept only if a continuation line follows. */
  pendingBlankLines: number;
}

export function createRisParser(withoutAbstract: WithoutAbstract, idPrefix: string): RecordParser {
  let open: OpenRecord | undefined;
  let recordIndex = 0;
  /** Text between records: reported once per run of such lines. Plain text before the first record is a header (`Provider: …`), skipped. */
  let straySince: number | undefined;
  const strayAt = (lineNumber: number) => {
    if (recordIndex > 0) straySince ??= lineNumber;
  };

  const close = (out: ParsedRecord[], problem?: string) => {
    if (open === undefined) return;
    const record = open;
    open = undefined;
    recordIndex++;
    const position = { line: record.startLine, record: recordIndex };
    if (problem) out.push({ kind: 'error', message: problem, position });
    else out.push(risDocument(record.fields, position, withoutAbstract, `${idPrefix}-${recordIndex}`));
  };

  const onLine = (out: ParsedRecord[]) => (line: string, lineNumber: number) => {
    const match = TAG_LINE.exec(line.trimEnd());
    if (match) {
      const [, tag, value = ''] = match as unknown as [string, string, string | undefined];
      if (straySince !== undefined) reportStray(out, lineNumber);
      if (tag === 'TY') {
        close(out, `record has no "ER  -" line before the next "TY  -" (line ${lineNumber})`);
        open = { startLine: lineNumber, fields: [[tag, value]], pendingBlankLines: 0 };
      } else if (open === undefined) {
        straySince ??= lineNumber;
      } else if (tag === 'ER') {
        close(out);
      } else {
        open.fields.push([tag, value]);
        open.pendingBlankLines = 0;
      }
      return;
    }
    if (line.trim() === '') {
      if (open) open.pendingBlankLines++;
      return;
    }
    if (open === undefined) {
      strayAt(lineNumber);
      return;
    }
    const last = open.fields[open.fields.length - 1] as RisField;
    last[1] += '\n'.repeat(open.pendingBlankLines + 1) + line;
    open.pendingBlankLines = 0;
  };

  const reportStray = (out: ParsedRecord[], until: number | undefined) => {
    const line = straySince as number;
    straySince = undefined;
    const where = until === undefined || until - 1 === line ? '' : ` (lines ${line}–${until - 1})`;
    out.push({ kind: 'error', message: `text outside a RIS record${where}: a record starts with "TY  - "`, position: { line } });
  };

  return lineRecordParser(onLine, (out) => {
    if (straySince !== undefined) reportStray(out, undefined);
    close(out, 'record has no "ER  -" line: the file ends inside it');
  });
}

function firstValue(fields: RisField[], ...tags: string[]): string {
  for (const tag of tags) {
    for (const [fieldTag, value] of fields) {
      if (fieldTag !== tag) continue;
      const text = normalizeSpace(value);
      if (text !== '') return text;
    }
  }
  return '';
}

/** Fields whose text may cite other articles' PMIDs: never read as the record's own. */
const PROSE_TAGS = new Set(['TI', 'T1', 'AB', 'N2', 'T2', 'T3']);

/** A `PMID: n` in any other field (N1, M2, AN, C5 …) first, then an accession number of digits from PubMed. */
export function risPmid(fields: RisField[]): string | undefined {
  for (const [tag, value] of fields) {
    if (PROSE_TAGS.has(tag)) continue;
    const match = PMID_IN_TEXT.exec(value);
    if (match) return match[1];
  }
  const database = firstValue(fields, 'DB', 'DP');
  const accession = firstValue(fields, 'AN');
  return PMID_PATTERN.test(accession) && !NON_PUBMED_DATABASE.test(database) ? accession : undefined;
}

/** The DOI from DO (bare, `doi:` or as a doi.org link), else a doi.org link in UR; lower-cased, as DOIs compare. */
export function risDoi(fields: RisField[]): string | undefined {
  for (const tag of ['DO', 'UR']) {
    for (const [fieldTag, value] of fields) {
      if (fieldTag !== tag) continue;
      const text = value.trim().replace(/^doi:\s*/i, '');
      const fromUrl = DOI_IN_URL.exec(text)?.[1];
      const doi = fromUrl ?? (tag === 'DO' && text.startsWith('10.') ? text : undefined);
      if (doi) return doi.toLowerCase();
    }
  }
  return undefined;
}

/** The decision of an earlier Labelwise RIS export (KW/N1 with the prefix), so a session can continue from one. */
function decisionFields(fields: RisField[]): Record<string, unknown> {
  const decision: Record<string, unknown> = {};
  const labels: string[] = [];
  for (const [tag, value] of fields) {
    if (tag === 'KW' && value.startsWith(`${DECISION_PREFIX}:`)) labels.push(value.slice(DECISION_PREFIX.length + 1));
    const note = tag === 'N1' ? DECISION_NOTE.exec(value) : null;
    if (note) decision[note[1] as string] = note[2];
  }
  if (decision.status !== undefined) decision.labels = labels;
  return decision;
}

function risDocument(fields: RisField[], position: RecordPosition, withoutAbstract: WithoutAbstract, fallbackId: string): ParsedRecord {
  const pmid = risPmid(fields);
  const doi = risDoi(fields);
  const title = firstValue(fields, 'TI', 'T1');
  const abstract = firstValue(fields, 'AB', 'N2');
  const name = pmid ? `PMID ${pmid}` : doi ? `DOI ${doi}` : `record ${position.record}`;
  if (abstract === '') {
    if (title === '') return { kind: 'skipped', message: `${name} has neither title nor abstract`, position, pmid };
    if (withoutAbstract === 'skip') return { kind: 'skipped', message: `${name} has no abstract`, position, pmid };
  }
  const keywords = fields
    .filter(([tag, value]) => tag === 'KW' && !value.startsWith(`${DECISION_PREFIX}:`))
    .map(([, value]) => normalizeSpace(value))
    .filter(Boolean);
  const { id, ...decision } = decisionFields(fields);
  const document: LabelwiseDocument = { id: typeof id === 'string' ? id : (pmid ?? (doi ? `doi:${doi}` : fallbackId)), text: abstract };
  if (pmid) document.pmid = pmid;
  if (doi) document.doi = doi;
  if (title) document.title = title;
  if (keywords.length > 0) document.keywords = keywords;
  Object.assign(document, decision);
  document.ris = fields;
  return { kind: 'document', document, position };
}

/** Whether a field is one Labelwise wrote (replaced by the current decision on export). */
export function isDecisionField([tag, value]: RisField): boolean {
  return (tag === 'KW' && value.startsWith(`${DECISION_PREFIX}:`)) || (tag === 'N1' && value.startsWith(`${DECISION_PREFIX} `));
}

/** The verbatim record of a document imported from RIS, or undefined for documents from other formats. */
export function risFieldsOf(document: LabelwiseDocument): RisField[] | undefined {
  const { ris } = document;
  const valid =
    Array.isArray(ris) &&
    ris.length > 0 &&
    ris.every((field) => Array.isArray(field) && field.length === 2 && typeof field[0] === 'string' && typeof field[1] === 'string');
  return valid ? (ris as RisField[]) : undefined;
}
