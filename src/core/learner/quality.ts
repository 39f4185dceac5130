/**
 * How good a taught model is, estimated from the decisions so far: k-fold cross-validation (each decided document
 * scored by a model trained without it), then micro-F1 (multi-label; a one-label screening is its F1 on "yes") or
 * accuracy (single-label), with a 95% bootstrap interval over the decided documents. Pure: the caller's `trainAndScore`
 * does the training, so the page's worker and the tests share it.
 */

import { seededRandom } from '../random';

export interface Outcome {
  /** The annotator's decision per label of the scheme. */
  truth: boolean[];
  /** The out-of-fold model's probability per label. */
  probabilities: number[];
}

export interface QualityEstimate {
  metric: 'micro_f1' | 'accuracy';
  /** null when the decisions cannot say yet (see `message`). */
  value: number | null;
  low: number | null;
  high: number | null;
  decisions: number;
  folds: number;
  /** Why there is no figure yet, in words for the page. */
  message: string | null;
}

/** Fewer decisions than this make every fold a guess. */
export const MIN_DECISIONS = 4;
const MAX_FOLDS = 5;
const RESAMPLES = 200;

/** Fold of each of `count` decisions: round robin, so consecutive decisions land in different folds. */
export function assignFolds(count: number, maxFolds = MAX_FOLDS): Uint8Array {
  const folds = Math.max(1, Math.min(maxFolds, count));
  return Uint8Array.from({ length: count }, (_, i) => i % folds);
}

/** Out-of-fold probabilities: for each fold, `trainAndScore` trains on the other folds' decisions and scores this fold's. */
export function crossValidate(
  count: number,
  trainAndScore: (train: number[], test: number[]) => number[][],
  maxFolds = MAX_FOLDS,
): { probabilities: number[][]; folds: number } {
  const fold = assignFolds(count, maxFolds);
  const folds = Math.max(1, Math.min(maxFolds, count));
  const probabilities: number[][] = new Array(count);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < count; i++) (fold[i] === f ? test : train).push(i);
    const scored = trainAndScore(train, test);
    test.forEach((i, j) => {
      probabilities[i] = scored[j] ?? [];
    });
  }
  return { probabilities, folds };
}

interface Counts {
  hits: number;
  total: number;
}

/** Per document: true positives, false positives, false negatives (multi-label at 0.5) or right/wrong (single). */
function documentCounts(outcome: Outcome, task: 'multi_label' | 'single_label'): [number, number, number] {
  if (task === 'single_label') {
    let best = -1;
    outcome.probabilities.forEach((p, l) => {
      if (best < 0 || p > (outcome.probabilities[best] as number)) best = l;
    });
    return outcome.truth[best] === true ? [1, 0, 0] : [0, 1, 0];
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  outcome.truth.forEach((truth, l) => {
    const predicted = (outcome.probabilities[l] ?? 0) >= 0.5;
    if (predicted && truth) tp++;
    else if (predicted) fp++;
    else if (truth) fn++;
  });
  return [tp, fp, fn];
}

function metricOf(counts: Array<[number, number, number]>, task: 'multi_label' | 'single_label'): Counts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [a, b, c] of counts) {
    tp += a;
    fp += b;
    fn += c;
  }
  return task === 'single_label' ? { hits: tp, total: tp + fp } : { hits: 2 * tp, total: 2 * tp + fp + fn };
}

function percentile(sorted: number[], share: number): number {
  const at = Math.min(sorted.length - 1, Math.max(0, Math.round(share * (sorted.length - 1))));
  return sorted[at] as number;
}

export function estimateQuality(outcomes: Outcome[], task: 'multi_label' | 'single_label', folds: number, seed = 1): QualityEstimate {
  const metric = task === 'single_label' ? 'accuracy' : 'micro_f1';
  const empty = (message: string): QualityEstimate => ({
    metric,
    value: null,
    low: null,
    high: null,
    decisions: outcomes.length,
    folds,
    message,
  });
  if (outcomes.length < MIN_DECISIONS) return empty(`needs ${MIN_DECISIONS} decisions to estimate (${outcomes.length} so far)`);
  const positives = outcomes.filter((outcome) => outcome.truth.some(Boolean)).length;
  if (task === 'multi_label' && positives === 0) return empty('every decision so far gives no label: F1 needs at least one label given');
  if (task === 'multi_label' && outcomes.every((outcome) => outcome.truth.every(Boolean)))
    return empty('every decision so far gives every label: nothing to tell apart yet');
  const counts = outcomes.map((outcome) => documentCounts(outcome, task));
  const whole = metricOf(counts, task);
  const value = whole.total === 0 ? 0 : whole.hits / whole.total;
  const draw = seededRandom(seed);
  const resampled: number[] = [];
  for (let r = 0; r < RESAMPLES; r++) {
    const sample = Array.from({ length: counts.length }, () => counts[Math.floor(draw() * counts.length)] as [number, number, number]);
    const { hits, total } = metricOf(sample, task);
    resampled.push(total === 0 ? 0 : hits / total);
  }
  resampled.sort((a, b) => a - b);
  return {
    metric,
    value,
    low: percentile(resampled, 0.025),
    high: percentile(resampled, 0.975),
    decisions: outcomes.length,
    folds,
    message: null,
  };
}
