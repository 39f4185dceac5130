import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { folderReader, REPO_ROOT, testModelFolder } from '../cli/testing';
import { WordPieceTokenizer } from './tokenizer';

interface Reference {
  id: string;
  text?: string;
  input_ids: number[];
  /** Python (code point) offsets, [0, 0] for [CLS]/[SEP]. */
  offsets: [number, number][];
}

const fixture = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tests/fixtures/hoc-dev-offsets.json'), 'utf8')) as {
  docs: Reference[];
  cases: Reference[];
};
const devTexts = new Map<string, string>(
  readFileSync(path.join(REPO_ROOT, 'data/hoc/dev.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const record = JSON.parse(line) as { id: string; text: string };
      return [record.id, record.text];
    }),
);

/** Python offsets count code points; ours count UTF-16 code units. */
function toUtf16Offsets(text: string, offsets: [number, number][]): [number, number][] {
  const unitIndex = [0];
  let units = 0;
  for (const char of text) {
    units += char.length;
    unitIndex.push(units);
  }
  return offsets.map(([start, end]) => [unitIndex[start] as number, unitIndex[end] as number]);
}

let tokenizer: WordPieceTokenizer;

function withSpecialTokens(text: string) {
  const encoding = tokenizer.encode(text);
  return {
    input_ids: [tokenizer.clsId, ...encoding.ids, tokenizer.sepId],
    offsets: [[0, 0], ...encoding.starts.map((start, index) => [start, encoding.ends[index]]), [0, 0]],
  };
}

beforeAll(async () => {
  const read = folderReader(testModelFolder());
  const decode = async (name: string) => JSON.parse(new TextDecoder().decode(await read(name))) as unknown;
  tokenizer = new WordPieceTokenizer(await decode('tokenizer.json'), await decode('tokenizer_config.json'));
});

describe('offsets against the Python tokenizer', () => {
  it('covers every HoC dev abstract', () => {
    expect(fixture.docs.map((doc) => doc.id).sort()).toEqual([...devTexts.keys()].sort());
    expect(fixture.docs).toHaveLength(183);
  });

  it('gives the same ids and offsets for every HoC dev abstract', () => {
    for (const doc of fixture.docs) {
      const text = devTexts.get(doc.id) as string;
      expect({ id: doc.id, ...withSpecialTokens(text) }).toEqual({
        id: doc.id,
        input_ids: doc.input_ids,
        offsets: toUtf16Offsets(text, doc.offsets),
      });
    }
  });

  it.each(fixture.cases.map((entry) => [entry.id, entry] as const))('gives the same ids and offsets on %s', (_, entry) => {
    const text = entry.text as string;
    expect(withSpecialTokens(text)).toEqual({ input_ids: entry.input_ids, offsets: toUtf16Offsets(text, entry.offsets) });
  });

  it('agrees with the library pipeline on every HoC dev abstract', () => {
    for (const doc of fixture.docs) {
      const text = devTexts.get(doc.id) as string;
      expect(tokenizer.encode(text).ids).toEqual(tokenizer.libraryIds(text));
    }
  });
});

describe('tricky text', () => {
  const spans = (text: string) => {
    const encoding = tokenizer.encode(text);
    return encoding.starts.map((start, index) => text.slice(start, encoding.ends[index]));
  };
  const unkId = () => tokenizer.encode('🧬').ids[0];

  /** The text of each pre-tokenized word, joining its pieces' spans. */
  const wordSpans = (text: string) => {
    const { words, starts, ends } = tokenizer.encode(text);
    const result: string[] = [];
    for (const [index, word] of words.entries()) {
      const span = text.slice(starts[index], ends[index]);
      if (index > 0 && words[index - 1] === word) result[result.length - 1] += span;
      else result.push(span);
    }
    return result;
  };

  it('maps accented words back to the accented original', () => {
    const text = 'Café résumé';
    expect(tokenizer.encode(text).ids).toEqual(tokenizer.encode('cafe resume').ids);
    expect(wordSpans(text)).toEqual(['Café', 'résumé']);
    expect(wordSpans('cafe\u0301 x')).toEqual(['cafe', 'x']);
  });

  it('isolates unicode punctuation and keeps CJK characters one per word', () => {
    expect(wordSpans('“p53”—x')).toEqual(['“', 'p53', '”', '—', 'x']);
    expect(wordSpans('肿瘤 cells')).toEqual(['肿', '瘤', 'cells']);
  });

  it('turns unknown characters and over-long words into one [UNK] spanning the word', () => {
    const text = `a 🧬x ${'b'.repeat(101)} c`;
    const encoding = tokenizer.encode(text);
    expect(encoding.ids).toEqual([tokenizer.encode('a').ids[0], unkId(), unkId(), tokenizer.encode('c').ids[0]]);
    expect(spans(text)).toEqual(['a', '🧬x', 'b'.repeat(101), 'c']);
    expect(tokenizer.encode('b'.repeat(100)).ids).not.toContain(unkId());
  });

  it('drops control characters and treats \\r\\n, tabs and runs of spaces as one separator', () => {
    expect(wordSpans('a\u0000b\u200bc d')).toEqual(['a\u0000b\u200bc', 'd']);
    const text = '  one\r\n\r\ntwo \t three  ';
    expect(spans(text)).toEqual(['one', 'two', 'three']);
    expect(tokenizer.encode(text).ids).toEqual(tokenizer.encode('one two three').ids);
  });

  it('counts offsets in UTF-16 code units around astral characters', () => {
    const text = '😀 cells';
    expect(spans(text)).toEqual(['😀', 'cells']);
    expect(tokenizer.encode(text).starts).toEqual([0, 3]);
  });

  it('gives no tokens for empty or blank text', () => {
    expect(tokenizer.encode('').ids).toEqual([]);
    expect(tokenizer.encode(' \n\t ').ids).toEqual([]);
  });
});
