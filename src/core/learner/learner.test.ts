import { describe, expect, it } from 'vitest';
import { type DocumentFeatures, deserializeFeatures, Learner, lexicalTerms, recallAt, serializeFeatures, splitSentences, wssAt } from '.';

const HIDDEN = 8;

/** A document of sentences whose vectors point along the given axes (unit length), with its words' lexical terms. */
function doc(text: string, axes: number[]): DocumentFeatures {
  const vectors = new Int8Array(axes.length * HIDDEN);
  axes.forEach((axis, s) => {
    vectors[s * HIDDEN + axis] = 127;
    vectors[s * HIDDEN + ((axis + 1) % HIDDEN)] = 20;
  });
  const spans = Uint32Array.from(axes.flatMap((_, s) => [s * 10, s * 10 + 9]));
  return { spans, vectors, scales: new Float32Array(axes.length).fill(1 / 127), ...lexicalTerms(text) };
}

function axis(k: number): Float32Array {
  const v = new Float32Array(HIDDEN);
  v[k] = 1;
  return v;
}

// Two obvious classes: "kinase" documents along axis 0, "cohort" documents along axis 3.
const pool = Array.from({ length: 20 }, (_, i) =>
  i % 2 === 0 ? doc(`kinase signalling pathway ${i}`, [0, 5]) : doc(`cohort survey of patients ${i}`, [3, 5]),
);
const scheme = {
  task: 'multi_label' as const,
  labels: [
    { name: 'signalling', description: 'kinase signalling' },
    { name: 'epidemiology', description: '' },
  ],
};

describe('learner', () => {
  it('scores from the description alone before any decision', () => {
    const learner = new Learner(scheme, [axis(0), null], pool);
    expect(learner.version).toBe(0);
    expect(learner.probability(0, 0)).toBeGreaterThan(learner.probability(1, 0));
    // The empty description: flat scores and a note saying so.
    expect(learner.probability(0, 1)).toBeCloseTo(learner.probability(1, 1), 12);
    expect(learner.notes.join()).toContain('"epidemiology" has no description');
  });

  it('separates two obvious classes after a few decisions and changes scores after each', () => {
    const learner = new Learner(scheme, [null, null], pool);
    const decisions = [];
    let previous = Array.from(pool, (_, d) => learner.probability(d, 1));
    for (const d of [0, 1, 2, 3]) {
      decisions.push({ doc: d, labels: d % 2 === 1 ? ['epidemiology'] : [] });
      learner.train(decisions);
      const now = Array.from(pool, (_, d) => learner.probability(d, 1));
      expect(now).not.toEqual(previous);
      previous = now;
    }
    expect(learner.version).toBe(4);
    for (let d = 4; d < pool.length; d++) {
      const p = learner.probability(d, 1);
      if (d % 2 === 1) expect(p).toBeGreaterThan(0.5);
      else expect(p).toBeLessThan(0.5);
    }
  });

  it('learns its attention from the decisions, and keeps it in its saved state', () => {
    // Each document: one sentence of its class (axis 3 or 0) and one of another topic (axes 1, 2, 5, 6, 7); the
    // description reads mostly two of the other topics, the decisions say axis 3 matters.
    const others = [1, 2, 5, 6, 7];
    const mixed = Array.from({ length: 30 }, (_, i) => doc(`document ${i}`, [i % 2 === 1 ? 3 : 0, others[(i * 3) % 5] as number]));
    const description = Float32Array.from({ length: HIDDEN }, (_, k) => (k === 3 ? 0.3 : k === 1 || k === 2 ? 1 : 0));
    const length = Math.hypot(...description);
    const misled = { task: 'multi_label' as const, labels: [{ name: 'class', description: 'other topics' }] };
    const learner = new Learner(misled, [description.map((value) => value / length)], mixed);
    const undecided = 25;
    const before = learner.attention(undecided, 0)[0] as number;
    const decisions = [];
    for (let d = 0; d < 16; d++) {
      decisions.push({ doc: d, labels: d % 2 === 1 ? ['class'] : [] });
      learner.train(decisions);
    }
    // The undecided document's axis-3 sentence now draws more of the label's attention.
    expect(learner.attention(undecided, 0)[0] as number).toBeGreaterThan(before + 0.1);
    expect(learner.attentionFeatures(mixed[undecided] as DocumentFeatures, 0)).toEqual(learner.attention(undecided, 0));
    const restored = Learner.fromState(learner.exportState(), mixed);
    for (let d = 0; d < mixed.length; d++) {
      expect(restored.attention(d, 0)).toEqual(learner.attention(d, 0));
      expect(restored.probability(d, 0)).toBeCloseTo(learner.probability(d, 0), 12);
    }
  });

  it('solves to the same model warm as cold, after a decision changes and one is taken back', () => {
    const decisions = [0, 1, 2, 3, 5, 8].map((d) => ({ doc: d, labels: d % 2 === 1 ? ['epidemiology'] : [] }));
    const warm = new Learner(scheme, [axis(0), null], pool);
    warm.train(decisions);
    // Document 3 is re-decided as not epidemiology, document 8's decision is undone.
    const changed = [...decisions.filter((decision) => decision.doc !== 8), { doc: 3, labels: [] }];
    warm.train(changed);
    const cold = new Learner(scheme, [axis(0), null], pool);
    cold.train(changed.filter((decision, i) => decision.doc !== 3 || i === changed.length - 1));
    for (let d = 0; d < pool.length; d++) expect(warm.probability(d, 1)).toBeCloseTo(cold.probability(d, 1), 3);
    expect(warm.decisionCount).toBe(5);
    // The re-decided document now scores lower than the other epidemiology documents.
    expect(warm.probability(3, 1)).toBeLessThan(warm.probability(7, 1));
  });

  it('is deterministic and stays finite with one label, one class only, and documents without text', () => {
    const docs = [...pool, doc('', [])];
    const one = { task: 'multi_label' as const, labels: [{ name: 'signalling', description: 'kinase' }] };
    const run = () => {
      const learner = new Learner(one, [axis(0)], docs);
      learner.train(
        [0, 2, 4].map((d) => ({ doc: d, labels: [] })),
        [0],
      );
      return docs.map((_, d) => learner.probability(d, 0));
    };
    const scores = run();
    expect(scores).toEqual(run());
    for (const p of scores) expect(Number.isFinite(p) && p >= 0 && p <= 1).toBe(true);
    expect(new Learner(one, [axis(0)], docs).attention(docs.length - 1, 0)).toHaveLength(0);
  });

  it('gives single-label probabilities that sum to 1 and attention over sentences that sums to 1', () => {
    const learner = new Learner({ ...scheme, task: 'single_label' }, [axis(0), axis(3)], pool);
    learner.train([{ doc: 0, labels: ['signalling'] }]);
    const p = learner.score(3);
    expect((p[0] as number) + (p[1] as number)).toBeCloseTo(1, 12);
    const attention = learner.attention(0, 0);
    expect(attention).toHaveLength(2);
    expect((attention[0] as number) + (attention[1] as number)).toBeCloseTo(1, 12);
    expect(attention[0]).toBeGreaterThan(attention[1] as number); // the kinase sentence
  });

  it('gives finite scores and says why for 0 decisions, an unused label, one class only and a wrong description', () => {
    const wrong = {
      task: 'multi_label' as const,
      labels: [
        { name: 'signalling', description: 'kinase' },
        { name: 'unused', description: 'nothing here' },
        { name: 'wrong', description: 'points nowhere' },
      ],
    };
    // "wrong" points along an axis no sentence has: its prior is flat.
    const learner = new Learner(wrong, [axis(0), axis(4), axis(7)], pool);
    expect(learner.notes.join()).toContain('"wrong": its description scores every document alike');
    const finite = () => {
      for (let d = 0; d < pool.length; d++) for (const p of learner.score(d)) expect(Number.isFinite(p) && p > 0 && p < 1).toBe(true);
    };
    finite();
    const same = [0, 2, 4, 6].map((doc) => ({ doc, labels: ['signalling'] }));
    const report = learner.train(same);
    expect(report.notes).toContain('label "unused": no decision gives it yet, so its scores only go down');
    expect(report.notes).toContain('label "signalling": every decision gives it so far, so its scores only go up');
    finite();
    for (let n = 0; n < 30; n++) learner.train(same);
    finite();
    expect(learner.probability(8, 0)).toBeGreaterThan(learner.probability(8, 1));
  });

  it('scores documents added after construction with the frozen statistics', () => {
    const learner = new Learner(scheme, [axis(0), null], pool.slice(0, 10));
    learner.train([{ doc: 0, labels: ['signalling'] }]);
    const first = learner.addDocuments(pool.slice(10));
    expect(first).toBe(10);
    expect(learner.documentCount).toBe(pool.length);
    expect(Array.from(learner.score(12))).toEqual(Array.from(learner.scoreFeatures(pool[12] as DocumentFeatures)));
  });

  it('round-trips stored features', () => {
    const features = pool[0] as DocumentFeatures;
    const back = deserializeFeatures(serializeFeatures(features));
    expect(back.vectors).toEqual(features.vectors);
    expect(back.terms).toEqual(features.terms);
    expect(back.counts).toEqual(features.counts);
    expect(back.spans).toEqual(features.spans);
  });
});

describe('screening helpers', () => {
  it('splits sentences at full stops before capitals and at line breaks', () => {
    const text = 'Cells grew. IL-2 was lost.\nThe end e.g. here.';
    expect(splitSentences(text).map(([a, b]) => text.slice(a, b))).toEqual(['Cells grew.', 'IL-2 was lost.', 'The end e.g. here.']);
  });

  it('computes WSS@95 and recall after 10%', () => {
    const order = [true, true, false, false, false, false, false, false, false, false];
    expect(wssAt(order, 0.95)).toBeCloseTo(1 - 0.2 - 0.05, 12);
    expect(recallAt(order, 0.1)).toBe(0.5);
    expect(wssAt([false, false], 0.95)).toBeNull();
  });
});
