import { describe, expect, it } from 'vitest';
import {
  classifierInput,
  detectFormat,
  guessColumns,
  ImportFileError,
  importAll,
  importText,
  readDocuments,
  readHeader,
  sniffFormat,
} from '../../src/io';
import { chunkBytes, chunkedFixture, importFixture } from './helpers';

describe('JSON Lines', () => {
  it('imports good lines and reports each bad one with its line and field', async () => {
    const result = await importFixture('io/mixed.jsonl');
    expect(result.format).toBe('jsonl');
    expect(result.documents).toEqual([
      {
        id: 'a-1',
        pmid: '12345678',
        title: 'T1',
        text: 'Alpha text.',
        labels: ['Resisting cell death'],
        sentences: [{ start: 0, end: 11, labels: ['Resisting cell death'] }],
      },
      { id: 'mixed-2', text: 'Just a text.' },
      // Extra fields (audit fields of an earlier export) travel along.
      { id: '10', pmid: '87654321', text: 'Numeric id and pmid.', labels: [], status: 'corrected', annotator: 'kim' },
    ]);
    expect(result.issues.map((issue) => [issue.kind, issue.position.line, issue.position.field, issue.message])).toEqual([
      ['error', 3, 'labels', 'labels must be a list of strings'],
      ['error', 4, undefined, expect.stringMatching(/^not valid JSON \(/)],
      ['error', 6, 'text', 'text is missing'],
      ['error', 7, undefined, 'expected a JSON object, got a list'],
      ['error', 8, 'sentences[0]', 'sentences[0] span 0..99 lies outside the text (length 14)'],
      ['duplicate', 9, undefined, 'duplicate of an earlier record with id "a-1"'],
      ['error', 11, 'pmid', 'pmid must be a PubMed id (digits), got "PMC123"'],
    ]);
    expect(result.counts).toEqual({ imported: 3, failed: 6, skipped: 0, duplicates: 1 });
  });

  it('refuses a JSON array with a message saying what is expected', async () => {
    await expect(importText('[\n  {"text": "a"}\n]')).rejects.toThrow(
      new ImportFileError('this is a JSON array, not JSON Lines: expected one JSON object per line'),
    );
  });

  it('keeps duplicates when dedupe is off', async () => {
    const result = await importFixture('io/mixed.jsonl', { dedupe: false });
    expect(result.documents.filter((doc) => doc.id === 'a-1')).toHaveLength(2);
    expect(result.counts.duplicates).toBe(0);
  });

  it('reads the training data files whole', async () => {
    const result = await importAll(chunkedFixture('../../data/hoc/dev.jsonl'));
    expect(result.counts).toEqual({ imported: 183, failed: 0, skipped: 0, duplicates: 0 });
    expect(result.documents.every((doc) => Array.isArray(doc.labels) && /^\d+$/.test(doc.pmid ?? ''))).toBe(true);
  });
});

describe('CSV and TSV', () => {
  it('parses RFC 4180 quoting, detects ";" and reports bad rows with their line', async () => {
    const result = await importFixture('io/semicolon.csv');
    expect(result.format).toBe('csv');
    expect(result.documents).toEqual([
      {
        id: '12345001',
        pmid: '12345001',
        title: 'Semicolon; inside',
        text: 'Line one\nline two with "quotes"',
        labels: ['Neoplasms', 'Cardiovascular diseases'],
      },
      { id: '12345002', pmid: '12345002', title: 'Plain', text: 'Plain abstract', labels: ['Neoplasms'] },
    ]);
    expect(result.issues.map((issue) => [issue.position.line, issue.position.record, issue.position.field, issue.message])).toEqual([
      [5, 3, undefined, 'row has 3 fields, the header has 4'],
      [6, 4, 'PMID', '"notapmid" is not a PubMed id'],
      [7, 5, 'Abstract', 'text is empty'],
      [9, 6, undefined, 'quoted field opened on line 9 is never closed (file ends inside it)'],
    ]);
    for (const size of [1, 2, 5]) expect(await importFixture('io/semicolon.csv', {}, size)).toEqual(result);
  });

  it('handles doubled quotes split across chunks, CR line ends and text after a closing quote', async () => {
    const csv = 'id,text\r1,"say ""hi"""\r2,"x"y\r3,last';
    for (const size of [1, 3, 100]) {
      const chunks = csv.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) as string[];
      const result = await importAll({ chunks, name: 'a.csv' });
      expect(result.documents).toEqual([
        { id: '1', text: 'say "hi"' },
        { id: '3', text: 'last' },
      ]);
      expect(result.issues[0]?.message).toMatch(/^text after a closing quote \(column 2\)/);
      expect(result.issues[0]?.position.line).toBe(3);
    }
  });

  it('uses an explicit column mapping and label separator', async () => {
    const csv = 'key,body,tags,other\nk1,Some text,x|y,z\n';
    const result = await importText(csv, {
      format: 'csv',
      csv: { columns: { id: 'key', text: 'body', labels: 'tags', labelSeparator: '|' } },
    });
    expect(result.documents).toEqual([{ id: 'k1', text: 'Some text', labels: ['x', 'y'] }]);
  });

  it('refuses a mapping that names a missing column, and a header without a text column', async () => {
    await expect(importText('id,text\n1,a\n', { format: 'csv', csv: { columns: { text: 'abstract' } } })).rejects.toThrow(
      new ImportFileError('text column "abstract" is not in the header (columns: id, text)'),
    );
    await expect(importText('a,b\n1,2\n', { format: 'csv' })).rejects.toThrow(/no column looks like the text/);
  });

  it('reads TSV by extension and generates ids where none is mapped', async () => {
    const tsv = await importFixture('io/simple.tsv');
    expect(tsv.format).toBe('tsv');
    expect(tsv.documents).toEqual([
      { id: 'd1', text: 'First document', labels: ['A', 'B'] },
      { id: 'd2', text: 'Second', labels: [] },
    ]);
    const noId = await importText('text\tlabels\nalpha\tA\nbeta\tB\n', { format: 'tsv', idPrefix: 'paste' });
    expect(noId.documents.map((doc) => doc.id)).toEqual(['paste-1', 'paste-2']);
  });

  it('gives a column picker the header, sample rows, delimiter and a guess', async () => {
    const header = await readHeader(chunkedFixture('io/semicolon.csv', 10));
    expect(header.delimiter).toBe(';');
    expect(header.columns).toEqual(['PMID', 'Title', 'Abstract', 'Category']);
    expect(header.sampleRows[0]).toEqual([
      '12345001',
      'Semicolon; inside',
      'Line one\r\nline two with "quotes"',
      'Neoplasms|Cardiovascular diseases',
    ]);
    expect(header.guess).toEqual({ text: 'Abstract', pmid: 'PMID', title: 'Title', labels: 'Category' });
    expect(guessColumns(['Document ID', 'notes'])).toBeUndefined();
    expect(guessColumns(['doc_id', 'TEXT', 'Labels'])).toEqual({ text: 'TEXT', id: 'doc_id', labels: 'Labels' });
  });
});

describe('plain text', () => {
  it('makes one document per blank-line-separated block', async () => {
    const result = await importFixture('io/blocks.txt');
    expect(result.documents).toEqual([
      { id: 'blocks-1', text: 'First pasted abstract\nspans two lines.' },
      { id: 'blocks-2', text: 'Second abstract after several blank lines.\nThird line of it.\nSecond block end.' },
      { id: 'blocks-3', text: 'Third block.' },
    ]);
    expect(result.issues).toEqual([]);
  });

  it('imports pasted text with \\r\\n line ends', async () => {
    const result = await importText('one\r\ntwo\r\n\r\nthree');
    expect(result.format).toBe('txt');
    expect(result.documents).toEqual([
      { id: 'text-1', text: 'one\ntwo' },
      { id: 'text-2', text: 'three' },
    ]);
  });
});

describe('format detection', () => {
  it('sniffs content first, then the extension', () => {
    expect(detectFormat('\n\nPMID- 123\nTI  - x', 'export.txt')).toBe('medline');
    expect(detectFormat('PMID- 123\n', 'citations.nbib')).toBe('medline');
    expect(detectFormat('\uFEFF<?xml version="1.0"?>', 'x.txt')).toBe('pubmed-xml');
    expect(detectFormat('<PubmedArticleSet>')).toBe('pubmed-xml');
    expect(detectFormat('{"text": "a"}\n')).toBe('jsonl');
    expect(detectFormat('id,text\n1,a', 'a.csv')).toBe('csv');
    expect(detectFormat('id\ttext\n1\ta\n', undefined)).toBe('tsv');
    expect(detectFormat('Cancer, as we know, is common.\nIt is, indeed.')).toBe('txt');
    expect(detectFormat('id,text\n1,a', 'a.tsv')).toBe('tsv');
  });

  it('sniffs a source', async () => {
    expect(await sniffFormat(chunkedFixture('pubmed/pubmed_result2.txt', 100))).toBe('medline');
    expect(await sniffFormat(chunkedFixture('io/mixed.jsonl'))).toBe('jsonl');
  });
});

describe('sources and encodings', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('refuses binary files with a message that says what they are', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    await expect(importAll({ chunks: [png], name: 'figure.png' })).rejects.toThrow(
      new ImportFileError('this looks like a PNG image, not a text file'),
    );
    const xlsx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0]);
    await expect(importAll({ chunks: [xlsx], name: 'sheet.xlsx' })).rejects.toThrow(
      /a ZIP archive \(an \.xlsx or \.docx file is one: save it as CSV or text\)/,
    );
    const withNul = bytes('PMID- 1\nTI  - a\0b\n');
    await expect(importAll({ chunks: [withNul] })).rejects.toThrow(
      new ImportFileError('this looks like a binary file (it contains NUL bytes), not a text file'),
    );
    await expect(importText('text with a \0 inside')).rejects.toThrow(/contains NUL bytes/);
    // No NUL, not UTF-8, and full of control characters under Windows-1252 either.
    const noise = Uint8Array.from({ length: 20000 }, (_, i) => 1 + ((i * 131) % 255));
    await expect(importAll({ chunks: chunkBytes(noise, 4096) })).rejects.toThrow(
      new ImportFileError('this looks like a binary file (neither UTF-8 nor Windows-1252 text), not a text file'),
    );
  });

  it('reads Windows-1252 text (Excel on Windows) when the bytes are not UTF-8', async () => {
    const latin = Uint8Array.from('id;text\n1;Caf\xe9 na\xefve \x93quoted\x94 \x96 50\xb5M\n', (char) => char.charCodeAt(0));
    const result = await importAll({ chunks: chunkBytes(latin, 5), name: 'excel.csv' });
    expect(result.documents).toEqual([{ id: '1', text: 'Café naïve “quoted” – 50µM' }]);
    // Valid UTF-8 with the same characters stays UTF-8, even cut inside a character.
    const utf8 = bytes('id;text\n1;Café naïve “quoted” – 50µM\n');
    expect((await importAll({ chunks: chunkBytes(utf8, 3), name: 'utf8.csv' })).documents).toEqual(result.documents);
  });

  it('decodes UTF-16 with a BOM (Excel "Unicode text") and multi-byte characters split across chunks', async () => {
    const utf16 = new Uint8Array([
      0xff,
      0xfe,
      ...Array.from('id\ttext\nα\tβ-cell\n').flatMap((char) => [char.charCodeAt(0) & 0xff, char.charCodeAt(0) >> 8]),
    ]);
    expect((await importAll({ chunks: [utf16], name: 'x.tsv' })).documents).toEqual([{ id: 'α', text: 'β-cell' }]);
    const utf8 = bytes('{"text": "μ-opioid — naïve"}\n');
    const result = await importAll({ chunks: Array.from(utf8, (byte) => Uint8Array.of(byte)) });
    expect(result.documents[0]?.text).toBe('μ-opioid — naïve');
  });

  it('reads a WHATWG ReadableStream (File.stream()) and reports progress up to the total', async () => {
    const data = bytes(`${'{"text": "abc"}\n'.repeat(5000)}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < data.byteLength; i += 4096) controller.enqueue(data.subarray(i, i + 4096));
        controller.close();
      },
    });
    const seen: number[] = [];
    let imported = 0;
    for await (const batch of readDocuments({ chunks: stream, totalBytes: data.byteLength }, { dedupe: false })) {
      seen.push(batch.progress.bytesRead);
      imported = batch.counts.imported;
      expect(batch.progress.totalBytes).toBe(data.byteLength);
    }
    expect(imported).toBe(5000);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(data.byteLength);
  });
});

describe('markup inside text', () => {
  it('keeps HTML and script in titles and abstracts as plain text, character for character', async () => {
    const jsonl = await importFixture('io/html-in-text.jsonl');
    expect(jsonl.documents[0]?.title).toBe('<b onmouseover="alert(1)">Bold claim</b>');
    expect(jsonl.documents[0]?.text).toBe(
      'Abstract with <script>window.__pwned = true</script> and <img src=x onerror="window.__pwned = true"> inside.',
    );
    const xml = await importFixture('io/html-in-text.xml');
    expect(xml.documents[0]).toMatchObject({
      title: '<script>window.__pwned = true</script> in a title',
      text: 'Escaped markup <img src=x onerror="window.__pwned = true"> stays text.',
    });
  });
});

describe('deduplication', () => {
  it('treats a PMID seen under another id as a duplicate', async () => {
    const text = [
      '{"id": "hoc-1", "pmid": "123", "text": "a"}',
      '{"id": "mine", "pmid": "123", "text": "b"}',
      '{"id": "hoc-1", "text": "c"}',
    ].join('\n');
    const result = await importText(text);
    expect(result.documents.map((doc) => doc.id)).toEqual(['hoc-1']);
    expect(result.issues.map((issue) => [issue.position.line, issue.message])).toEqual([
      [2, 'duplicate of an earlier record with PMID 123'],
      [3, 'duplicate of an earlier record with id "hoc-1"'],
    ]);
  });
});

describe('classifier input', () => {
  const document = { id: '1', title: 'Title here.', text: 'Abstract here.' };

  it('builds the input from the setting and says where the abstract starts', () => {
    expect(classifierInput(document, 'abstract')).toEqual({ text: 'Abstract here.', abstractStart: 0 });
    const both = classifierInput(document, 'title+abstract');
    expect(both).toEqual({ text: 'Title here.\nAbstract here.', abstractStart: 12 });
    expect(both.text.slice(both.abstractStart)).toBe(document.text);
  });

  it('falls back to the title for title-only documents and to the abstract without a title', () => {
    expect(classifierInput({ id: '2', title: 'Only a title.', text: '' }, 'abstract')).toEqual({
      text: 'Only a title.',
      abstractStart: 13,
    });
    expect(classifierInput({ id: '3', text: 'No title.' }, 'title+abstract')).toEqual({ text: 'No title.', abstractStart: 0 });
  });
});
