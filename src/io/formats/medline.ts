/**
 * PubMed's MEDLINE text format ("Save → PubMed format", .nbib): `TAG - value` lines with the tag
 * padded to four characters, continuation lines indented (six spaces), records separated by blank
 * lines. A PMID line also starts a new record when the blank line is missing.
 */
import { lineRecordParser, normalizeSpace, type ParsedRecord, pubmedRecord, type RecordParser, type WithoutAbstract } from './parser';

const FIELD_LINE = /^([A-Z][A-Z0-9]{1,3}) *-(?: (.*))?$/;

interface MedlineRecord {
  startLine: number;
  /** Per tag, its values; each value is a list of trimmed lines (joined once, at the end). */
  fields: Map<string, string[][]>;
  lastValue: string[] | undefined;
  error: { message: string; line: number } | undefined;
}

export function createMedlineParser(withoutAbstract: WithoutAbstract): RecordParser {
  let current: MedlineRecord | undefined;
  let recordIndex = 0;

  const flush = (out: ParsedRecord[]) => {
    if (current === undefined) return;
    const record = current;
    current = undefined;
    recordIndex++;
    const position = { line: record.startLine, record: recordIndex };
    if (record.error) {
      out.push({ kind: 'error', message: record.error.message, position: { ...position, line: record.error.line } });
      return;
    }
    const field = (tag: string) => (record.fields.get(tag) ?? []).map((lines) => normalizeSpace(lines.join(' '))).filter(Boolean);
    const pmid = field('PMID')[0];
    // Book chapters carry their title in BTI when TI is absent.
    const title = field('TI')[0] ?? field('BTI')[0] ?? '';
    out.push(pubmedRecord(pmid, title, field('AB').join(' '), position, withoutAbstract));
  };

  const onLine = (out: ParsedRecord[]) => (line: string, lineNumber: number) => {
    if (line.trim() === '') return flush(out);
    const match = FIELD_LINE.exec(line);
    if (match) {
      const [, tag, value = ''] = match as unknown as [string, string, string | undefined];
      if (tag === 'PMID' && current?.fields.has('PMID')) flush(out);
      current ??= { startLine: lineNumber, fields: new Map(), lastValue: undefined, error: undefined };
      const values = current.fields.get(tag) ?? [];
      current.lastValue = [value];
      values.push(current.lastValue);
      current.fields.set(tag, values);
      return;
    }
    if (/^\s/.test(line) && current?.lastValue) {
      current.lastValue.push(line.trim());
      return;
    }
    current ??= { startLine: lineNumber, fields: new Map(), lastValue: undefined, error: undefined };
    current.error ??= {
      message: `line is neither a MEDLINE field ("TAG - value") nor an indented continuation: ${JSON.stringify(line.slice(0, 60))}`,
      line: lineNumber,
    };
  };

  return lineRecordParser(onLine, flush);
}
