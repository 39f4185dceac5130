import { describe, expect, it } from 'vitest';
import { exportJsonl } from '../io/export';
import { importText } from '../io/import';
import { fromImportedRecord, toAnnotatedDocument } from './annotationRecords';
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
    const [line] = [...exportJsonl([toAnnotatedDocument(reviewed)])];
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
    const text = [...exportJsonl([toAnnotatedDocument(reviewed)])].join('');
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
