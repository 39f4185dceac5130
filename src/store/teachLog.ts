/**
 * Teach (issue 19): the trainings of a scheme as stored, each one the decisions it changed. Replaying them in order
 * gives the worker the same model again; these are the pure parts the store uses to keep and read that log.
 */
import type { DecisionDelta } from '../worker/learn-api';

/** What changed between two decision sets: new or changed labels, and null for a decision taken back. */
export function deltaOf(before: ReadonlyMap<string, string[]>, after: ReadonlyMap<string, string[]>): DecisionDelta {
  const delta: DecisionDelta = [];
  for (const [key, labels] of after) {
    const previous = before.get(key);
    if (previous === undefined || previous.join('\u0000') !== labels.join('\u0000')) delta.push([key, labels]);
  }
  for (const key of before.keys()) if (!after.has(key)) delta.push([key, null]);
  return delta;
}

/** Decisions each version was trained on, from the stored log. */
export function historyOf(entries: DecisionDelta[]): number[] {
  const decided = new Set<string>();
  const history = [0];
  for (const delta of entries) {
    for (const [key, labels] of delta) {
      if (labels === null) decided.delete(key);
      else decided.add(key);
    }
    history.push(decided.size);
  }
  return history;
}

export function decisionsAfter(entries: DecisionDelta[]): Map<string, string[]> {
  const decided = new Map<string, string[]>();
  for (const delta of entries)
    for (const [key, labels] of delta) {
      if (labels === null) decided.delete(key);
      else decided.set(key, labels);
    }
  return decided;
}
