import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type AnnotationRecord, annotationFromImport, detectFormat, exportRis, importAll, importText, toExportRecord } from '../../src/io';
import { chunkedFixture, fixturePath, importFixture } from './helpers';

const FIXTURES = ['zotero', 'endnote', 'mendeley', 'pubmed', 'ovid-embase'];

/** The file's records as its lines (TY … last line before ER), read without the parser under test. */
function rawRecords(name: string): string[][] {
  const text = readFileSync(fixturePath(`ris/${name}.ris`), 'utf8').replace(/^\uFEFF/, '');
  const records: string[][] = [];
  let current: string[] | undefined;
  for (const line of text.split(/\r\n|\n/)) {
    if (line.startsWith('TY  - ')) current = [];
    if (current === undefined) continue;
    if (/^ER {2}- ?$/.test(line)) {
      records.push(current);
      current = undefined;
    } else if (line.trim() !== '') current.push(line.trimEnd());
  }
  return records;
}

function exportedRecords(text: string): string[][] {
  return text
    .split('ER  - \r\n\r\n')
    .filter((record) => record !== '')
    .map((record) => record.split('\r\n').filter((line) => line !== ''));
}

const decide = (documents: AnnotationRecord['document'][]): AnnotationRecord[] =>
  documents.map((document, i) => ({
    document,
    status: i % 2 === 0 ? 'corrected' : 'accepted',
    labels: i % 2 === 0 ? ['Inducing angiogenesis', 'Resisting cell death'] : [],
    annotator: 'kim',
    note: i % 2 === 0 ? 'check the methods\nagain' : undefined,
  }));

describe('RIS import', () => {
  it('reads Zotero: title, abstract, PMID from "PMID:" in N1, DOI, keywords; skips a book without abstract', async () => {
    const result = await importFixture('ris/zotero.ris');
    expect(result.format).toBe('ris');
    expect(result.counts).toEqual({ imported: 2, failed: 0, skipped: 1, duplicates: 0 });
    expect(result.issues).toEqual([{ kind: 'skipped', message: 'record 2 has no abstract', position: { line: 27, record: 2 } }]);
    const [first, second] = result.documents;
    expect(first).toMatchObject({
      id: '30900001',
      pmid: '30900001',
      doi: '10.1000/jeo.2019.0412',
      title: 'Hypoxia-inducible factor 1 drives angiogenesis in renal carcinoma',
      keywords: ['Angiogenesis', 'Hypoxia-Inducible Factor 1', 'Carcinoma, Renal Cell'],
    });
    expect(first?.text).toMatch(/^Renal cell carcinomas are highly vascular\. .* microvessel density\.$/);
    // Markup in a title is text, kept as it came.
    expect(second?.title).toBe('Telomerase reactivation & <i>TERT</i> promoter mutations in glioma');
  });

  it('reads EndNote (BOM, CRLF): T1, PMID in AN or M2, a paragraph break kept in the record, a multi-line note', async () => {
    const result = await importFixture('ris/endnote.ris', { withoutAbstract: 'keep' });
    expect(result.documents.map((doc) => [doc.id, doc.title?.slice(0, 20), doc.doi])).toEqual([
      ['31100003', 'Loss of E-cadherin p', '10.1000/gcr.2020.23.201'],
      ['35500004', 'Letter: a comment on', undefined],
      ['34400005', 'Aerobic glycolysis i', undefined],
    ]);
    const [first] = result.documents;
    expect(first?.text).toBe(
      'E-cadherin loss is a hallmark of diffuse gastric cancer. We followed 96 patients for five years. Invasion depth and lymph node metastasis were associated with CDH1 silencing.',
    );
    const fields = first?.ris as [string, string][];
    expect(fields.find(([tag]) => tag === 'AB')?.[1]).toContain('five years.\n\nInvasion depth');
    expect(fields.find(([tag]) => tag === 'N1')?.[1]).toBe('Nakamura, H\nOsei, K\nFischer, L\neng\nJournal Article');
    expect(fields.some(([, value]) => value.includes('\r'))).toBe(false);
  });

  it('reads Mendeley ("ER  -" without a space, DOI as a link) and drops a duplicate DOI whatever its case', async () => {
    const result = await importFixture('ris/mendeley.ris');
    expect(result.documents.map((doc) => doc.id)).toEqual(['doi:10.1000/bcg.2017.8.14', 'doi:10.1000/ic.2018.55']);
    expect(result.issues).toEqual([
      { kind: 'duplicate', message: 'duplicate of an earlier record with DOI 10.1000/bcg.2017.8.14', position: { line: 20, record: 2 } },
    ]);
  });

  it('reads PubMed (PMID in AN) and Ovid (wrapped N2; an Embase accession number is not a PMID)', async () => {
    const pubmed = await importFixture('ris/pubmed.ris');
    expect(pubmed.documents.map((doc) => doc.pmid)).toEqual(['36600006', '34000007']);
    const ovid = await importFixture('ris/ovid-embase.ris');
    expect(ovid.documents.map((doc) => [doc.id, doc.pmid])).toEqual([
      ['doi:10.1000/lcr.2020.300', undefined],
      ['32200008', '32200008'],
    ]);
    expect(ovid.documents[0]?.text).toBe(
      'RB1 inactivation was found in 91% of small cell lung cancers. Loss of RB1 removed the G1 checkpoint and made tumours insensitive to CDK4/6 inhibitors.',
    );
  });

  it("reads a PMID cited in the abstract as text, not as the record's own", async () => {
    const result = await importText('TY  - JOUR\nTI  - T\nAB  - As shown before (PMID: 11111111).\nER  - \n');
    expect(result.documents.map((doc) => [doc.id, doc.pmid])).toEqual([['text-1', undefined]]);
  });

  it('reports each bad record with its line and goes on', async () => {
    const result = await importFixture('ris/bad.ris');
    expect(result.documents.map((doc) => doc.id)).toEqual(['10000001', 'doi:10.1000/good.2']);
    expect(result.issues.map((issue) => [issue.kind, issue.position.line, issue.message])).toEqual([
      ['error', 10, 'record has no "ER  -" line before the next "TY  -" (line 14)'],
      ['error', 20, 'text outside a RIS record: a record starts with "TY  - "'],
      ['error', 21, 'record has no "ER  -" line: the file ends inside it'],
    ]);
  });

  it('gives the same records whatever the chunk size', async () => {
    for (const name of FIXTURES) {
      const whole = await importFixture(`ris/${name}.ris`);
      const chunked = await importAll(chunkedFixture(`ris/${name}.ris`, 7));
      expect(chunked).toEqual(whole);
    }
  });

  it('is detected by its TY line or its extension', () => {
    expect(detectFormat('\uFEFF\r\nTY  - JOUR\r\nTI  - x', 'export.txt')).toBe('ris');
    expect(detectFormat('TY  - JOUR\nTI  - x')).toBe('ris');
    expect(detectFormat('Provider: Example\nContent: text/plain\n\nTY  - JOUR', 'refs.ris')).toBe('ris');
    expect(detectFormat('PMID- 123\nTI  - x')).toBe('medline');
  });
});

describe('RIS export', () => {
  it('gives back every original tag and value of every record, tag by tag, plus the decision', async () => {
    for (const name of FIXTURES) {
      const imported = await importFixture(`ris/${name}.ris`, { withoutAbstract: 'keep', dedupe: false });
      const exported = exportedRecords([...exportRis(decide(imported.documents))].join(''));
      const original = rawRecords(name);
      expect(exported).toHaveLength(original.length);
      exported.forEach((lines, i) => {
        const kept = lines.filter((line) => !/^(KW {2}- labelwise:|N1 {2}- labelwise )/.test(line));
        expect(kept, `${name} record ${i + 1}`).toEqual(original[i]);
      });
    }
  });

  it('writes the decision so it reads back as the same labels, status, annotator and note', async () => {
    const imported = await importFixture('ris/zotero.ris');
    const items = decide(imported.documents);
    const text = [...exportRis(items)].join('');
    expect(text).toContain(
      'KW  - labelwise:Inducing angiogenesis\r\nKW  - labelwise:Resisting cell death\r\nN1  - labelwise status: corrected',
    );
    expect(text).toContain('N1  - labelwise note: check the methods again');
    const back = await importText(text);
    const annotations = back.documents.map(annotationFromImport);
    expect(annotations.map((item) => [item?.status, item?.labels, item?.annotator, item?.note])).toEqual([
      ['corrected', ['Inducing angiogenesis', 'Resisting cell death'], 'kim', 'check the methods again'],
      ['accepted', [], 'kim', undefined],
    ]);
    // Exported again after a change, the record carries the new decision only, and its keywords stay its own.
    const again = [...exportRis([{ ...(annotations[0] as AnnotationRecord), labels: ['Cellular energetics'] }])].join('');
    expect(again.match(/labelwise:/g)).toHaveLength(1);
    expect(back.documents[0]?.keywords).toEqual(['Angiogenesis', 'Hypoxia-Inducible Factor 1', 'Carcinoma, Renal Cell']);
  });

  it('builds a record for documents from other formats, and their id comes back', async () => {
    const items: AnnotationRecord[] = [
      { document: { id: '31000001', pmid: '31000001', title: 'T', text: 'Line one\nline two' }, status: 'corrected', labels: ['A'] },
      { document: { id: 'notes-2', text: 'No PMID here.' }, status: 'accepted', labels: [] },
    ];
    const text = [...exportRis(items)].join('');
    expect(text.split('\r\n').slice(0, 6)).toEqual([
      'TY  - JOUR',
      'TI  - T',
      'AB  - Line one line two',
      'AN  - 31000001',
      'KW  - labelwise:A',
      'N1  - labelwise status: corrected',
    ]);
    const back = await importText(text);
    expect(back.documents.map((doc) => [doc.id, doc.pmid, doc.text, doc.labels])).toEqual([
      ['31000001', '31000001', 'Line one line two', ['A']],
      ['notes-2', undefined, 'No PMID here.', []],
    ]);
  });

  it('keeps the RIS record in the JSONL export, so a session continued from JSONL exports it unchanged', async () => {
    const imported = await importFixture('ris/ovid-embase.ris');
    const [item] = decide(imported.documents);
    const viaJsonl = annotationFromImport(JSON.parse(JSON.stringify(toExportRecord(item as AnnotationRecord))));
    expect([...exportRis([viaJsonl as AnnotationRecord])]).toEqual([...exportRis([item as AnnotationRecord])]);
  });
});
