import { describe, expect, it } from 'vitest';
import { type AnnotationRecord, annotationFromImport, exportCsv, exportJsonl, importAll, importText, selectForExport } from '../../src/io';
import { importFixture } from './helpers';

const model = { id: 'hoc-minilm-lame', version: '1.0.0' };

function annotated(): AnnotationRecord[] {
  return [
    {
      document: {
        id: '31000001',
        pmid: '31000001',
        title: 'A title, "quoted"',
        text: 'Line one\nline two',
        sentences: [{ start: 0, end: 8, labels: ['A'] }],
      },
      status: 'corrected',
      labels: ['Inducing angiogenesis', 'Resisting cell death'],
      model,
      scores: { 'Inducing angiogenesis': 0.31, 'Resisting cell death': 0.92 },
      annotator: 'kim',
      note: 'model missed angiogenesis',
      createdAt: '2026-11-24T16:00:00.000Z',
      updatedAt: '2026-11-24T16:05:00.000Z',
    },
    {
      document: { id: 'text-2', text: '=SUM(A1:A9) looks like a formula' },
      status: 'accepted',
      labels: [],
      model,
      scores: { 'Resisting cell death': 0.1 },
    },
    { document: { id: 'text-3', text: 'not looked at' }, status: 'predicted', labels: ['Resisting cell death'] },
    { document: { id: 'text-4', text: 'skipped one' }, status: 'skipped', labels: [] },
  ];
}

describe('export selection', () => {
  it('selects corrected, reviewed (accepted or corrected) or everything', () => {
    const ids = (selection: 'corrected' | 'reviewed' | 'all') => selectForExport(annotated(), selection).map((item) => item.document.id);
    expect(ids('corrected')).toEqual(['31000001']);
    expect(ids('reviewed')).toEqual(['31000001', 'text-2']);
    expect(ids('all')).toEqual(['31000001', 'text-2', 'text-3', 'text-4']);
  });
});

describe('JSONL export', () => {
  it('writes the dataset shape with the decision as labels, plus audit fields', () => {
    const lines = [...exportJsonl(annotated())];
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0] as string)).toEqual({
      id: '31000001',
      pmid: '31000001',
      title: 'A title, "quoted"',
      text: 'Line one\nline two',
      sentences: [{ start: 0, end: 8, labels: ['A'] }],
      labels: ['Inducing angiogenesis', 'Resisting cell death'],
      status: 'corrected',
      annotator: 'kim',
      note: 'model missed angiogenesis',
      model,
      scores: { 'Inducing angiogenesis': 0.31, 'Resisting cell death': 0.92 },
      created_at: '2026-11-24T16:00:00.000Z',
      updated_at: '2026-11-24T16:05:00.000Z',
    });
  });

  it('imports again with every annotation intact (round trip), twice', async () => {
    const original = annotated();
    const first = await importText([...exportJsonl(original)].join(''));
    expect(first.format).toBe('jsonl');
    expect(first.issues).toEqual([]);
    const restored = first.documents.map((doc) => annotationFromImport(doc));
    expect(restored).toEqual(original);
    const second = await importText([...exportJsonl(restored as AnnotationRecord[])].join(''));
    expect(second.documents).toEqual(first.documents);
  });

  it('round-trips documents read from a PubMed file', async () => {
    const pubmed = await importFixture('pubmed/pubmed4.xml');
    const items = pubmed.documents.map((document): AnnotationRecord => ({ document, status: 'accepted', labels: ['X'] }));
    const back = await importText([...exportJsonl(items)].join(''));
    expect(back.documents[0]).toEqual({ ...pubmed.documents[0], labels: ['X'], status: 'accepted' });
  });

  it('leaves documents without a status (plain datasets) without an annotation', () => {
    expect(annotationFromImport({ id: '1', text: 'a', labels: ['A'] })).toBeUndefined();
  });
});

describe('CSV export', () => {
  it('writes one row per document with labels joined by ";" and one score column per label', async () => {
    const csv = [...exportCsv(annotated())].join('');
    const header = csv.slice(0, csv.indexOf('\r\n')).split(',');
    expect(header).toEqual([
      'id',
      'pmid',
      'title',
      'text',
      'labels',
      'status',
      'annotator',
      'note',
      'model_id',
      'model_version',
      'created_at',
      'updated_at',
      'score:Inducing angiogenesis',
      'score:Resisting cell death',
    ]);
    expect(csv).toContain(
      '\r\n31000001,31000001,"A title, ""quoted""","Line one\nline two",Inducing angiogenesis;Resisting cell death,corrected,kim,',
    );
    expect(csv).toContain(',hoc-minilm-lame,1.0.0,2026-11-24T16:00:00.000Z,2026-11-24T16:05:00.000Z,0.31,0.92\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas and takes the label order it is given', () => {
    const lines = [...exportCsv(annotated(), { labelNames: ['Resisting cell death'] })];
    expect(lines[0]?.endsWith(',score:Resisting cell death\r\n')).toBe(true);
    expect(lines[2]).toBe("text-2,,,'=SUM(A1:A9) looks like a formula,,accepted,,,hoc-minilm-lame,1.0.0,,,0.1\r\n");
  });

  it('imports back to what was exported: audit fields, scores, guarded and spaced text, labels with ; and |', async () => {
    const tricky: AnnotationRecord[] = [
      {
        document: { id: '-1', title: '  +title with spaces  ', text: '  @text kept as is\t' },
        status: 'corrected',
        labels: ['a;b', 'c|d', 'back\\slash', '=sum'],
        model,
        scores: { 'a;b': 0.25, 'c|d': 0.75 },
        annotator: '=kim',
        note: "'quoted note",
        createdAt: '2026-11-24T16:00:00.000Z',
        updatedAt: '2026-11-24T16:05:00.000Z',
      },
      { document: { id: 'x', text: "'starts with an apostrophe" }, status: 'new', labels: [] },
    ];
    const original = [...annotated().map(({ document: { sentences, ...document }, ...rest }) => ({ ...rest, document })), ...tricky];
    const csv = [...exportCsv(original)].join('');
    expect(csv).toContain("'=SUM(A1:A9)");
    const back = await importAll({ chunks: csv, name: 'export.csv' });
    expect(back.issues).toEqual([]);
    expect(back.documents.map((document) => annotationFromImport(document))).toEqual(original);
  });

  it('keeps the cells of a CSV from elsewhere exactly, apostrophes and spaces included', async () => {
    const csv = "id,title,text,labels\r\n1,'=not ours,  '- a dash  ,a;b|c\r\n";
    const back = await importAll({ chunks: csv, name: 'other.csv' });
    expect(back.issues).toEqual([]);
    expect(back.documents).toEqual([{ id: '1', title: "'=not ours", text: "  '- a dash  ", labels: ['a', 'b', 'c'] }]);
  });
});
