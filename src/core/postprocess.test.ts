import { describe, expect, it } from 'vitest';
import { combineLogits, predictLabels, probabilities, wordWeights } from './postprocess';

const labels = [
  { name: 'a', description: '', threshold: 0.5 },
  { name: 'b', description: '', threshold: 0.2 },
  { name: 'c', description: '', threshold: 0.9 },
];

describe('post-processing', () => {
  it('takes the max logit over windows for multi_label and the mean for single_label', () => {
    const windows = [Float32Array.of(1, -2, 0), Float32Array.of(-1, 4, 2)];
    expect([...combineLogits(windows, 'multi_label')]).toEqual([1, 4, 2]);
    expect([...combineLogits(windows, 'single_label')]).toEqual([0, 1, 1]);
  });

  it('uses sigmoid per label for multi_label and softmax for single_label', () => {
    const logits = Float64Array.of(0, Math.log(3), -Math.log(3));
    expect([...probabilities(logits, 'multi_label')].map((p) => p.toFixed(6))).toEqual(['0.500000', '0.750000', '0.250000']);
    const softmax = probabilities(logits, 'single_label');
    expect(softmax.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 12);
    expect((softmax[1] as number) / (softmax[0] as number)).toBeCloseTo(3, 12);
    // Large logits must not overflow.
    expect([...probabilities(Float64Array.of(1000, 0), 'single_label')]).toEqual([1, 0]);
  });

  it('predicts by per-label threshold (inclusive) or by argmax', () => {
    expect(predictLabels(Float64Array.of(0.5, 0.19, 0.95), labels, 'multi_label')).toEqual(['a', 'c']);
    expect(predictLabels(Float64Array.of(0.1, 0.15, 0.2), labels, 'multi_label')).toEqual([]);
    expect(predictLabels(Float64Array.of(0.2, 0.7, 0.1), labels, 'single_label')).toEqual(['b']);
  });

  it('merges word pieces into words, sums their weights and normalises to 1', () => {
    // "tumours grow": tum ##ours | grow, with token weights 0.2 0.2 0.4 (the rest sat on [CLS]/[SEP]).
    const weights = wordWeights(Float64Array.of(0.2, 0.2, 0.4), [0, 0, 1], [0, 3, 8], [3, 7, 12]);
    expect(weights.map(([start, end]) => [start, end])).toEqual([
      [0, 7],
      [8, 12],
    ]);
    expect(weights.map(([, , weight]) => weight)).toEqual([0.5, 0.5]);
  });

  it('shares weight equally when a label attended to no word at all', () => {
    expect(wordWeights(Float64Array.of(0, 0), [0, 1], [0, 2], [1, 3]).map(([, , weight]) => weight)).toEqual([0.5, 0.5]);
    expect(wordWeights(new Float64Array(0), [], [], [])).toEqual([]);
  });
});
