import { describe, expect, it } from 'vitest';
import {
  changeOf,
  docKeyOf,
  needsScores,
  neighbourKey,
  newDocuments,
  nextToReview,
  predictionAccepted,
  reviewed,
  toStored,
  unknownLabels,
  withDecision,
  withLabelToggled,
  withScores,
} from './annotationDocs';
import { sessionDoc } from './testDocs';

const doc = sessionDoc;

const multi = { labels: ['A', 'B', 'C'], task: 'multi_label' as const };
const model = { id: 'm', version: '1' };

describe('decisions', () => {
  it('keys a document by PMID when it has one', () => {
    expect(docKeyOf({ id: '7', pmid: '123' })).toBe('pmid:123');
    expect(docKeyOf({ id: '7' })).toBe('id:7');
  });

  it('toggles a label in the session order and marks the decision as edited', () => {
    const toggled = withLabelToggled(doc('1', { decision: ['C'] }), 'A', multi, 5);
    expect(toggled.decision).toEqual(['A', 'C']);
    expect(toggled.edited).toBe(true);
    expect(toggled.updatedAt).toBe(5);
    expect(withLabelToggled(toggled, 'C', multi, 6).decision).toEqual(['A']);
  });

  it('single-label: a toggle chooses that label alone, a second one clears it', () => {
    const single = { labels: multi.labels, task: 'single_label' as const };
    const chosen = withLabelToggled(doc('1', { decision: ['A'] }), 'B', single, 1);
    expect(chosen.decision).toEqual(['B']);
    expect(withLabelToggled(chosen, 'B', single, 2).decision).toEqual([]);
  });

  it('accepting an unchanged prediction is "accepted", a changed one "corrected"; skip is "skipped"', () => {
    const predicted = doc('1', { status: 'predicted', predicted: ['A'], decision: ['A'] });
    expect(reviewed(predicted, 'accept', 'ann', 9)).toMatchObject({ status: 'accepted', annotator: 'ann', reviewedAt: 9, updatedAt: 9 });
    expect(reviewed({ ...predicted, decision: ['B'] }, 'accept', 'ann', 9).status).toBe('corrected');
    expect(reviewed(predicted, 'skip', 'ann', 9).status).toBe('skipped');
  });

  it('bulk accept takes the prediction as the decision', () => {
    expect(predictionAccepted(doc('1', { predicted: ['B'], decision: [] }), 'ann', 3)).toMatchObject({
      decision: ['B'],
      status: 'accepted',
    });
  });

  it('a change records both sides; putting one back restores exactly that decision', () => {
    const before = doc('1', { decision: ['A'], note: 'n' });
    const after = reviewed(withLabelToggled(before, 'B', multi, 2), 'accept', 'ann', 3);
    const change = changeOf(before, after);
    expect(withDecision(after, change.before)).toEqual(before);
    expect(withDecision(before, change.after)).toEqual(after);
  });
});

describe('scores', () => {
  const update = { key: 'id:1', scores: { A: 0.9, B: 0.1 }, predicted: ['A'], model };

  it('an untouched new document takes the predicted labels as its decision', () => {
    expect(withScores(doc('1'), update, 4)).toMatchObject({
      status: 'predicted',
      decision: ['A'],
      predicted: ['A'],
      model,
      predictedAt: 4,
    });
  });

  it('gold labels and reviewed decisions are kept; a scored document is no longer new', () => {
    expect(withScores(doc('1', { decision: ['B'], edited: true }), update, 4)).toMatchObject({ status: 'predicted', decision: ['B'] });
    expect(withScores(doc('1', { status: 'corrected', decision: ['C'] }), update, 4)).toMatchObject({
      status: 'corrected',
      decision: ['C'],
    });
  });

  it('reviewed documents keep their scores; others want the current model version', () => {
    expect(needsScores(doc('1'), model)).toBe(true);
    expect(needsScores(doc('1', { scores: {}, model }), model)).toBe(false);
    expect(needsScores(doc('1', { scores: {}, model: { id: 'm', version: '0' } }), model)).toBe(true);
    expect(needsScores(doc('1', { status: 'accepted', scores: {}, model: { id: 'old', version: '0' } }), model)).toBe(false);
  });
});

describe('moving through the queue', () => {
  it('moves by a step, clamped at both ends; an unknown key starts at the top', () => {
    const order = ['a', 'b', 'c'];
    expect(neighbourKey(order, 'b', 1)).toBe('c');
    expect(neighbourKey(order, 'c', 1)).toBe('c');
    expect(neighbourKey(order, 'a', -1)).toBe('a');
    expect(neighbourKey(order, 'gone', 1)).toBe('a');
    expect(neighbourKey([], null, 1)).toBeNull();
  });

  it('after a review goes to the next document, past the end to the first one still open', () => {
    const docs = new Map([
      ['a', doc('a')],
      ['b', doc('b', { status: 'accepted' })],
      ['c', doc('c', { status: 'skipped' })],
    ]);
    expect(nextToReview(['a', 'b', 'c'], docs, 'b')).toBe('c');
    expect(nextToReview(['a', 'b', 'c'], docs, 'c')).toBe('a');
    expect(nextToReview(['a'], new Map([['a', doc('a')]]), 'a')).toBe('a');
  });
});

describe('imports', () => {
  it('skips records already in the session or repeated in the import, numbering the rest after the session', () => {
    const existing = new Map([['id:1', doc('1', { order: 4 })]]);
    const { fresh, duplicates } = newDocuments(
      existing,
      [
        { id: '1', text: 'x' },
        { id: '2', text: 'y' },
        { id: '2', text: 'z' },
      ],
      10,
    );
    expect(duplicates).toBe(2);
    expect(fresh.map((d) => [d.key, d.order, d.text])).toEqual([['id:2', 5, 'y']]);
  });

  it('gold labels become a human decision a prediction will not replace; an exported record keeps its status', () => {
    expect(toStored({ id: '1', text: 't', labels: ['A'] }, 0, 1)).toMatchObject({ status: 'new', decision: ['A'], edited: true });
    const exported = toStored({ id: '2', text: 't', labels: ['A'], predicted: ['A'], scores: { A: 1 }, status: 'accepted' }, 0, 7);
    expect(exported).toMatchObject({ status: 'accepted', edited: undefined, reviewedAt: 7, updatedAt: 7 });
    expect(toStored({ id: '3', text: 't', scores: { A: 1 }, predicted: [] }, 0, 1).status).toBe('predicted');
  });

  it('finds the labels imported documents bring that the session does not have, once each', () => {
    const docs = [
      doc('1', { decision: ['A', 'X'] }),
      doc('2', { scores: { Y: 0.2 }, review: { decisions: [{ annotator: 'r', labels: ['Z', 'X'] }] } }),
    ];
    expect(unknownLabels(['A'], docs)).toEqual(['X', 'Y', 'Z']);
  });
});
