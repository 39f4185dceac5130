/** From raw graph outputs to what users see: probabilities, decisions, attention per word. */
import type { LabelSpec, Task } from './manifest';

/** [start, end, weight]: a word's span in the original text and its share of a label's attention. */
export type WordWeight = [start: number, end: number, weight: number];

/** Combines per-window logits: max for multi_label (a label present anywhere is present), mean for single_label. */
export function combineLogits(perWindow: Float32Array[], task: Task): Float64Array {
  const labels = perWindow[0]?.length ?? 0;
  const combined = new Float64Array(labels).fill(task === 'multi_label' ? Number.NEGATIVE_INFINITY : 0);
  for (const logits of perWindow) {
    for (let label = 0; label < labels; label++) {
      const value = logits[label] as number;
      combined[label] =
        task === 'multi_label' ? Math.max(combined[label] as number, value) : (combined[label] as number) + value / perWindow.length;
    }
  }
  return combined;
}

/** Sigmoid per label (multi_label) or softmax over labels (single_label). */
export function probabilities(logits: Float64Array, task: Task): Float64Array {
  if (task === 'multi_label') return logits.map((value) => 1 / (1 + Math.exp(-value)));
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

/** Predicted label names in model.json order: probability >= threshold, or the argmax for single_label. */
export function predictLabels(probs: Float64Array, labels: Pick<LabelSpec, 'name' | 'threshold'>[], task: Task): string[] {
  if (task === 'single_label') {
    let best = 0;
    for (let index = 1; index < probs.length; index++) if ((probs[index] as number) > (probs[best] as number)) best = index;
    return [(labels[best] as Pick<LabelSpec, 'name'>).name];
  }
  return labels
    .filter((_, index) => (probs[index] as number) >= (labels[index] as Pick<LabelSpec, 'threshold'>).threshold)
    .map((label) => label.name);
}

/**
 * Sums token weights into words (the pieces of one pre-tokenized word) and renormalises so a
 * label's weights over the words sum to 1. If a label put all its attention on [CLS]/[SEP],
 * every word gets an equal share rather than nothing.
 */
export function wordWeights(tokenWeights: Float64Array, words: number[], starts: number[], ends: number[]): WordWeight[] {
  const result: WordWeight[] = [];
  let total = 0;
  for (let token = 0; token < words.length; token++) {
    const weight = tokenWeights[token] as number;
    total += weight;
    const last = result[result.length - 1];
    if (last !== undefined && words[token] === words[token - 1]) {
      last[1] = ends[token] as number;
      last[2] += weight;
    } else {
      result.push([starts[token] as number, ends[token] as number, weight]);
    }
  }
  for (const word of result) word[2] = total > 0 ? word[2] / total : 1 / result.length;
  return result;
}
