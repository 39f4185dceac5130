/** Plain text: one document per block of lines; blocks are separated by blank lines. */
import { LineSplitter } from '../lines';
import type { ParsedRecord, RecordParser } from './parser';

export function createTxtParser(idPrefix: string): RecordParser {
  const lines = new LineSplitter();
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

  return {
    push(text) {
      const out: ParsedRecord[] = [];
      lines.push(text, onLine(out));
      return out;
    },
    finish() {
      const out: ParsedRecord[] = [];
      lines.finish(onLine(out));
      flush(out);
      return out;
    },
  };
}
