/** Plain text: one document per block of lines; blocks are separated by blank lines. */
import { lineRecordParser, type ParsedRecord, type RecordParser } from './parser';

export function createTxtParser(idPrefix: string): RecordParser {
  let block: string[] = [];
  let blockStart = 0;
  let blockIndex = 0;

  const flush = (out: ParsedRecord[]) => {
    if (block.length === 0) return;
    blockIndex++;
    out.push({
      kind: 'document',
      document: { id: `${idPrefix}-${blockIndex}`, text: block.join('\n') },
      position: { line: blockStart, record: blockIndex },
    });
    block = [];
  };

  const onLine = (out: ParsedRecord[]) => (line: string, lineNumber: number) => {
    const trimmed = line.trim();
    if (trimmed === '') return flush(out);
    if (block.length === 0) blockStart = lineNumber;
    block.push(trimmed);
  };

  return lineRecordParser(onLine, flush);
}
