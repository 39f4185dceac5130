import { describe, expect, it } from 'vitest';
import { assignFolds, crossValidate, estimateQuality, MIN_DECISIONS, type Outcome } from './quality';

const yes = (p: number): Outcome => ({ truth: [true], probabilities: [p] });
const no = (p: number): Outcome => ({ truth: [false], probabilities: [p] });

describe('cross-validation', () => {
  it('puts every decision in exactly one test fold, never in its own training set', () => {
    const seen: number[] = [];
    const { probabilities, folds } = crossValidate(7, (train, test) => {
      for (const i of test) expect(train).not.toContain(i);
      seen.push(...test);
      return test.map((i) => [i / 10]);
    });
    expect(folds).toBe(5);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(probabilities.map((row) => row[0])).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  });

  it('uses fewer folds than decisions', () => {
    expect(Array.from(assignFolds(3))).toEqual([0, 1, 2]);
    expect(Array.from(assignFolds(6))).toEqual([0, 1, 2, 3, 4, 0]);
  });
});

describe('estimateQuality', () => {
  it('says why there is no figure with too few decisions, or no label given at all', () => {
    const few = estimateQuality([yes(0.9)], 'multi_label', 1);
    expect(few.value).toBeNull();
    expect(few.message).toContain(`${MIN_DECISIONS} decisions`);
    const none = estimateQuality([no(0.1), no(0.2), no(0.3), no(0.9)], 'multi_label', 4);
    expect(none.value).toBeNull();
    expect(none.message).toContain('no label');
  });

  it('gives micro-F1 with an interval around it', () => {
    const outcomes = [yes(0.9), yes(0.8), yes(0.3), no(0.1), no(0.6), no(0.2), yes(0.7), no(0.4)];
    const estimate = estimateQuality(outcomes, 'multi_label', 5);
    // tp 3, fp 1, fn 1: F1 = 6 / 8.
    expect(estimate.value).toBeCloseTo(0.75, 10);
    expect(estimate.low).not.toBeNull();
    expect(estimate.low as number).toBeLessThanOrEqual(0.75);
    expect(estimate.high as number).toBeGreaterThanOrEqual(0.75);
    expect(estimate.high as number).toBeLessThanOrEqual(1);
    expect(estimateQuality(outcomes, 'multi_label', 5)).toEqual(estimate);
  });

  it('narrows the interval as decisions grow', () => {
    const pattern = [yes(0.9), yes(0.8), yes(0.3), no(0.1), no(0.6), no(0.2), yes(0.7), no(0.4)];
    const small = estimateQuality(pattern, 'multi_label', 5);
    const large = estimateQuality(Array.from({ length: 20 }, () => pattern).flat(), 'multi_label', 5);
    expect(large.value).toBeCloseTo(small.value as number, 10);
    expect((large.high as number) - (large.low as number)).toBeLessThan((small.high as number) - (small.low as number));
  });

  it('scores single-label schemes by accuracy of the most likely label', () => {
    const outcomes: Outcome[] = [
      { truth: [true, false], probabilities: [0.7, 0.3] },
      { truth: [false, true], probabilities: [0.2, 0.8] },
      { truth: [false, true], probabilities: [0.6, 0.4] },
      { truth: [true, false], probabilities: [0.9, 0.1] },
    ];
    const estimate = estimateQuality(outcomes, 'single_label', 4);
    expect(estimate.metric).toBe('accuracy');
    expect(estimate.value).toBeCloseTo(0.75, 10);
    expect(Number.isNaN(estimate.low)).toBe(false);
  });
});
