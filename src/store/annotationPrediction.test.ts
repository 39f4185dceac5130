import { describe, expect, it } from 'vitest';
import type { ScoreUpdate } from './annotationDocs';
import { type BatchPredictor, documentsToPredict, runBatch } from './annotationPrediction';
import { sessionDoc } from './testDocs';

const doc = sessionDoc;

const model = { id: 'm', version: '1', task: 'multi_label' as const, labels: [{ name: 'A', threshold: 0.5 }] };

/** A scorer that is not the inference worker: the batch takes scores from any source. */
function scorer(results: Record<string, number>, failAfter?: number): BatchPredictor {
  return {
    model,
    async predict(docs, onResult, onProgress) {
      for (const [index, { key }] of docs.entries()) {
        if (failAfter !== undefined && index >= failAfter) throw new Error('scorer stopped');
        const p = results[key] ?? 0;
        onResult(key, { scores: { A: p }, predicted: p >= 0.5 ? ['A'] : [] });
        onProgress(index + 1, docs.length);
      }
    },
    cancel() {},
  };
}

describe('batch prediction', () => {
  it('scores the shown queue first, then the rest; reviewed and already scored documents are left alone', () => {
    const docs = new Map([
      ['a', doc('a')],
      ['b', doc('b', { status: 'accepted' })],
      ['c', doc('c', { scores: { A: 1 }, model: { id: 'm', version: '1' } })],
      ['d', doc('d')],
      ['e', doc('e', { scores: { A: 1 }, model: { id: 'm', version: '0' } })],
    ]);
    expect(documentsToPredict(['d', 'b', 'c'], docs, model).map((d) => d.id)).toEqual(['d', 'a', 'e']);
  });

  it('hands every result to the store with the predicted labels and the model that gave them', async () => {
    const applied: ScoreUpdate[] = [];
    await runBatch(
      scorer({ x: 0.9, y: 0.1 }),
      [
        { key: 'x', text: '' },
        { key: 'y', text: '' },
      ],
      async (updates) => {
        applied.push(...updates);
      },
      () => {},
    );
    expect(applied).toEqual([
      { key: 'x', scores: { A: 0.9 }, predicted: ['A'], model: { id: 'm', version: '1' } },
      { key: 'y', scores: { A: 0.1 }, predicted: [], model: { id: 'm', version: '1' } },
    ]);
  });

  it('keeps what was scored before the scorer failed, then reports the failure', async () => {
    const applied: string[] = [];
    const run = runBatch(
      scorer({}, 1),
      [
        { key: 'x', text: '' },
        { key: 'y', text: '' },
      ],
      async (updates) => {
        applied.push(...updates.map((update) => update.key));
      },
      () => {},
    );
    await expect(run).rejects.toThrow('scorer stopped');
    expect(applied).toEqual(['x']);
  });
});
