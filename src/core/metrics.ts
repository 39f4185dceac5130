/** Micro/macro-F1 (and accuracy for single_label), defined as in train/evaluate.py so figures agree. */
import type { Task } from './manifest';

export interface F1Report {
  documents: number;
  micro_f1: number;
  /** Mean of per-label F1; a label with neither gold nor predicted documents counts 1. */
  macro_f1: number;
  /** single_label only: share of documents whose predicted label is their gold label. */
  accuracy?: number;
  per_label: Record<string, { f1: number; tp: number; fp: number; fn: number }>;
}

export function scorePredictions(labelNames: string[], gold: string[][], predicted: string[][], task: Task): F1Report {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  const counts = new Map(labelNames.map((name) => [name, { tp: 0, fp: 0, fn: 0 }]));
  let correct = 0;
  for (const [index, goldLabels] of gold.entries()) {
    const goldSet = new Set(goldLabels);
    const predictedSet = new Set(predicted[index]);
    for (const [name, count] of counts) {
      if (goldSet.has(name) && predictedSet.has(name)) count.tp++;
      else if (predictedSet.has(name)) count.fp++;
      else if (goldSet.has(name)) count.fn++;
    }
    if (goldLabels.length === 1 && predictedSet.size === 1 && predictedSet.has(goldLabels[0] as string)) correct++;
  }
  let tp = 0;
  let errors = 0;
  let macroSum = 0;
  const perLabel: F1Report['per_label'] = {};
  for (const [name, count] of counts) {
    tp += count.tp;
    errors += count.fp + count.fn;
    const denominator = 2 * count.tp + count.fp + count.fn;
    const f1 = denominator > 0 ? (2 * count.tp) / denominator : 1;
    macroSum += f1;
    perLabel[name] = { f1, ...count };
  }
  const report: F1Report = {
    documents: gold.length,
    micro_f1: 2 * tp + errors > 0 ? (2 * tp) / (2 * tp + errors) : 0,
    macro_f1: labelNames.length > 0 ? macroSum / labelNames.length : 0,
    per_label: perLabel,
  };
  if (task === 'single_label') report.accuracy = gold.length > 0 ? correct / gold.length : 0;
  return report;
}
