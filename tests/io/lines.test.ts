import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/io/lines';

function split(chunks: string[]): [string, number][] {
  const splitter = new LineSplitter();
  const lines: [string, number][] = [];
  const onLine = (line: string, number: number) => lines.push([line, number]);
  for (const chunk of chunks) splitter.push(chunk, onLine);
  splitter.finish(onLine);
  return lines;
}

describe('LineSplitter', () => {
  it('splits on \\n, \\r\\n and a lone \\r, also when a break falls between chunks', () => {
    const text = 'a\r\nb\nc\rd\r\n\r\ne';
    const expected: [string, number][] = [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
      ['', 5],
      ['e', 6],
    ];
    expect(split([text])).toEqual(expected);
    for (let size = 1; size <= 4; size++) {
      const chunks = text.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? [];
      expect(split(chunks)).toEqual(expected);
    }
  });
});
