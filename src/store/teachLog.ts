/**
 * Teach (issue 19): the trainings of a scheme as stored, each one the decisions it changed. Replaying them in order
 * gives the worker the same model again; these are the pure parts the store uses to keep and read that log.
 */
import type { DecisionDelta } from '../worker/learn-api';
import type { AnnotatedDoc } from './db';

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

/** The decisions that teach the scheme: accepted or corrected after it was made, labels of the scheme only. */
export function currentDecisions(
  docs: Iterable<Pick<AnnotatedDoc, 'key' | 'status' | 'reviewedAt' | 'decision'>>,
  scheme: { createdAt: number; labels: { name: string }[] },
): Map<string, string[]> {
  const names = new Set(scheme.labels.map((label) => label.name));
  const out = new Map<string, string[]>();
  for (const doc of docs) {
    if (doc.status !== 'accepted' && doc.status !== 'corrected') continue;
    if ((doc.reviewedAt ?? 0) < scheme.createdAt) continue;
    out.set(
      doc.key,
      doc.decision.filter((label) => names.has(label)),
    );
  }
  return out;
}

/** FNV-1a of the text the encoder saw. */
export function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'scheme'
  );
}
