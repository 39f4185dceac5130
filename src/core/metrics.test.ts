import { describe, expect, it } from 'vitest';
import { scorePredictions } from './metrics';

describe('scorePredictions', () => {
  it('computes micro- and macro-F1 as train/evaluate.py does', () => {
    const gold = [['a'], ['a', 'b'], []];
    const predicted = [['a'], ['b', 'c'], ['c']];
    const report = scorePredictions(['a', 'b', 'c', 'd'], gold, predicted, 'multi_label');
    // a: tp1 fn1 -> 2/3; b: tp1 -> 1; c: fp2 -> 0; d: nothing at all -> 1.
    expect(report.per_label.a).toEqual({ f1: 2 / 3, tp: 1, fp: 0, fn: 1 });
    expect(report.macro_f1).toBeCloseTo((2 / 3 + 1 + 0 + 1) / 4, 12);
    // micro: tp 2, fp 2, fn 1 -> 4 / 7.
    expect(report.micro_f1).toBeCloseTo(4 / 7, 12);
    expect(report.accuracy).toBeUndefined();
    expect(report.documents).toBe(3);
  });

  it('adds accuracy for single_label models', () => {
    const report = scorePredictions(['x', 'y'], [['x'], ['y'], ['y']], [['x'], ['x'], ['y']], 'single_label');
    expect(report.accuracy).toBeCloseTo(2 / 3, 12);
  });
});
