import { describe, expect, it } from 'vitest';
import {
  acceptedStatus,
  bulkAcceptable,
  orderAfterDecisions,
  orderQueue,
  predictionConfidence,
  type QueueFilter,
  uncertainty,
} from './annotationQueue';
import type { AnnotatedDoc, SessionSettings } from './db';
import { sessionDoc } from './testDocs';

const multi: Pick<SessionSettings, 'labels' | 'thresholds' | 'task'> = {
  labels: ['A', 'B'],
  thresholds: { A: 0.4, B: 0.6 },
  task: 'multi_label',
};
const single: Pick<SessionSettings, 'labels' | 'thresholds' | 'task'> = { labels: ['A', 'B', 'C'], thresholds: {}, task: 'single_label' };
const everything: QueueFilter = { statuses: new Set(), label: null };

function doc(id: string, scores?: Record<string, number>, extra: Partial<AnnotatedDoc> = {}): AnnotatedDoc {
  return sessionDoc(id, { status: scores ? 'predicted' : 'new', scores, predicted: [], ...extra });
}

describe('uncertainty', () => {
  it('is the distance of the label closest to its own threshold (multi-label)', () => {
    expect(uncertainty(doc('x', { A: 0.45, B: 0.9 }), multi)).toBeCloseTo(0.05);
    expect(uncertainty(doc('y', { A: 0.0, B: 0.58 }), multi)).toBeCloseTo(0.02);
  });

  it('is the margin between the two most probable labels (single-label)', () => {
    expect(uncertainty(doc('x', { A: 0.5, B: 0.3, C: 0.2 }), single)).toBeCloseTo(0.2);
  });

  it('puts unscored documents last', () => {
    expect(uncertainty(doc('x'), multi)).toBe(Number.POSITIVE_INFINITY);
  });

  it('follows a change of thresholds for the same scores', () => {
    const scored = doc('x', { A: 0.45, B: 0.9 });
    expect(uncertainty(scored, multi)).toBeCloseTo(0.05);
    expect(uncertainty(scored, { ...multi, thresholds: { A: 0.1, B: 0.85 } })).toBeCloseTo(0.05);
    expect(uncertainty(scored, { ...multi, thresholds: { A: 0.1, B: 0.5 } })).toBeCloseTo(0.35);
  });
});

describe('orderQueue', () => {
  const docs = [doc('d10', { A: 0.9, B: 0.1 }), doc('d2', { A: 0.41, B: 0.1 }), doc('d1'), doc('d3', { A: 0.2, B: 0.95 })];

  it('sorts most uncertain first, unscored last', () => {
    expect(orderQueue(docs, { by: 'uncertainty' }, everything, multi)).toEqual(['id:d2', 'id:d3', 'id:d10', 'id:d1']);
  });

  it('sorts by a label score, highest first', () => {
    expect(orderQueue(docs, { by: 'score', label: 'B' }, everything, multi)).toEqual(['id:d3', 'id:d2', 'id:d10', 'id:d1']);
  });

  it('sorts ids numerically', () => {
    expect(orderQueue(docs, { by: 'id' }, everything, multi)).toEqual(['id:d1', 'id:d2', 'id:d3', 'id:d10']);
  });

  it('filters by status and by label (decision or prediction)', () => {
    const labelled = [
      doc('a', { A: 0.9 }, { decision: ['A'] }),
      doc('b', { A: 0.1 }, { predicted: ['B'] }),
      doc('c', undefined, { status: 'skipped' }),
    ];
    expect(orderQueue(labelled, { by: 'id' }, { statuses: new Set(['skipped']), label: null }, multi)).toEqual(['id:c']);
    expect(orderQueue(labelled, { by: 'id' }, { statuses: new Set(), label: 'B' }, multi)).toEqual(['id:b']);
  });
});

describe('orderAfterDecisions', () => {
  const order = ['id:a', 'id:b', 'id:c'];
  const open: QueueFilter = { statuses: new Set(['new', 'predicted']), label: null };

  it('keeps the order when the document still matches', () => {
    expect(orderAfterDecisions(order, [doc('b', { A: 1 })], open)).toBe(order);
  });

  it('drops a document that no longer matches the filter', () => {
    expect(orderAfterDecisions(order, [doc('b', { A: 1 }, { status: 'accepted' })], open)).toEqual(['id:a', 'id:c']);
  });

  it('asks for a full sort when a document must come in', () => {
    expect(orderAfterDecisions(order, [doc('z', { A: 1 })], open)).toBeNull();
  });
});

describe('decisions', () => {
  it('accepting an unchanged prediction is "accepted", a changed one "corrected"', () => {
    expect(acceptedStatus({ decision: ['B', 'A'], predicted: ['A', 'B'] })).toBe('accepted');
    expect(acceptedStatus({ decision: ['A'], predicted: ['A', 'B'] })).toBe('corrected');
    expect(acceptedStatus({ decision: [], predicted: undefined })).toBe('accepted');
  });

  it('confidence is the weakest label call (multi-label) or the top probability (single-label)', () => {
    expect(predictionConfidence(doc('x', { A: 0.95, B: 0.1 }), multi)).toBeCloseTo(0.9);
    expect(predictionConfidence(doc('x', { A: 0.7, B: 0.2, C: 0.1 }), single)).toBeCloseTo(0.7);
    expect(predictionConfidence(doc('x'), multi)).toBeNull();
  });

  it('bulk accept takes only predicted, untouched, confident documents', () => {
    const confident = doc('x', { A: 0.95, B: 0.05 });
    expect(bulkAcceptable(confident, multi, 0.9)).toBe(true);
    expect(bulkAcceptable(confident, multi, 0.96)).toBe(false);
    expect(bulkAcceptable({ ...confident, edited: true }, multi, 0.9)).toBe(false);
    expect(bulkAcceptable({ ...confident, status: 'accepted' }, multi, 0.9)).toBe(false);
    expect(bulkAcceptable(undefined, multi, 0)).toBe(false);
  });
});
