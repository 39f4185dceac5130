import { describe, expect, it } from 'vitest';
import { exportJsonl, exportRis } from '../io/export';
import { importText } from '../io/import';
import { fromImportedRecord, toAnnotationRecord } from './annotationRecords';
import type { AnnotatedDoc } from './db';

const reviewed: AnnotatedDoc = {
  key: 'pmid:123',
  order: 4,
  id: '123',
  pmid: '123',
  title: 'A title',
  text: 'An abstract.',
  sentences: [{ start: 0, end: 12, labels: ['A'] }],
  status: 'corrected',
  scores: { A: 0.2, B: 0.8 },
  predicted: ['B'],
  decision: ['A'],
  edited: true,
  model: { id: 'hoc-minilm-lame', version: '1.0.0' },
  note: 'evidence in sentence 1',
  annotator: 'Ada',
  importedAt: Date.UTC(2026, 0, 1),
  predictedAt: Date.UTC(2026, 0, 2),
  reviewedAt: Date.UTC(2026, 0, 3),
  updatedAt: Date.UTC(2026, 0, 3),
};

describe('export and re-import', () => {
  it('exports the dataset shape with labels = the decision, plus audit fields', () => {
    const [line] = [...exportJsonl([toAnnotationRecord(reviewed)])];
    const record = JSON.parse(line ?? '');
    expect(record).toMatchObject({
      id: '123',
      pmid: '123',
      title: 'A title',
      text: 'An abstract.',
      labels: ['A'],
      status: 'corrected',
      annotator: 'Ada',
      note: 'evidence in sentence 1',
      model: { id: 'hoc-minilm-lame', version: '1.0.0' },
      scores: { A: 0.2, B: 0.8 },
      model_labels: ['B'],
      reviewed_at: '2026-01-03T00:00:00.000Z',
    });
  });

  it('reads an export back into the same session state', async () => {
    const text = [...exportJsonl([toAnnotationRecord(reviewed)])].join('');
    const { documents, issues } = await importText(text, { format: 'jsonl' });
    expect(issues).toEqual([]);
    const [first] = documents;
    if (!first) throw new Error('nothing imported');
    expect(fromImportedRecord(first)).toMatchObject({
      id: '123',
      pmid: '123',
      title: 'A title',
      text: 'An abstract.',
      labels: ['A'],
      status: 'corrected',
      scores: { A: 0.2, B: 0.8 },
      predicted: ['B'],
      model: { id: 'hoc-minilm-lame', version: '1.0.0' },
      note: 'evidence in sentence 1',
      annotator: 'Ada',
      importedAt: reviewed.importedAt,
      predictedAt: reviewed.predictedAt,
      reviewedAt: reviewed.reviewedAt,
      updatedAt: reviewed.updatedAt,
    });
  });

  it('keeps the gold labels of a plain dataset record as its decision, with no status', () => {
    const incoming = fromImportedRecord({ id: 'hoc-1', text: 'Text.', labels: ['A'] });
    expect(incoming.labels).toEqual(['A']);
    expect(incoming.status).toBeUndefined();
  });
});

describe('records from RIS and resolved conflicts', () => {
  it('keeps a RIS record in the session, so the RIS export gives it back field for field', async () => {
    const ris = 'TY  - JOUR\r\nTI  - T\r\nAB  - An abstract.\r\nAN  - 123\r\nC1  - custom\r\nKW  - Humans\r\nER  - \r\n';
    const [record] = (await importText(ris)).documents;
    const incoming = fromImportedRecord(record as NonNullable<typeof record>);
    expect(incoming.extra).toMatchObject({ keywords: ['Humans'], ris: expect.arrayContaining([['C1', 'custom']]) });
    const exported = [...exportRis([toAnnotationRecord({ ...reviewed, extra: incoming.extra })])].join('');
    expect(exported).toMatch(
      /^TY {2}- JOUR\r\nTI {2}- T\r\nAB {2}- An abstract\.\r\nAN {2}- 123\r\nC1 {2}- custom\r\nKW {2}- Humans\r\nKW {2}- labelwise:A\r\n/,
    );
  });

  it('carries each reviewer decision and the resolution through an export and a re-import', async () => {
    const review = {
      decisions: [
        { annotator: 'ana', labels: ['A'] },
        { annotator: 'ben', labels: [] },
      ],
    };
    const [line] = [...exportJsonl([toAnnotationRecord({ ...reviewed, review })])];
    expect(JSON.parse(line ?? '')).toMatchObject({ labels: ['A'], annotator: 'Ada', review });
    const [back] = (await importText(line ?? '')).documents;
    expect(fromImportedRecord(back as NonNullable<typeof back>)).toMatchObject({ labels: ['A'], annotator: 'Ada', review });
    const ris = [...exportRis([toAnnotationRecord({ ...reviewed, review })])].join('');
    expect(ris).toContain('N1  - labelwise reviewer ana: A\r\nN1  - labelwise reviewer ben: (no labels)\r\n');
  });
});
