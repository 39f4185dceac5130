import type { WindowSpec } from './manifest';

/** A run of content tokens [start, end) fed to the model as [CLS] tokens[start..end) [SEP]. */
export interface Window {
  start: number;
  end: number;
}

/**
 * Splits `tokenCount` content tokens into windows of `length - 2` tokens, one starting every
 * `stride` tokens, the last one ending on the last token (as train/evaluate.py does, so scores
 * match the training-side evaluation). Nothing is dropped: every token is in a window.
 */
export function planWindows(tokenCount: number, spec: WindowSpec): Window[] {
  const capacity = spec.length - 2;
  if (tokenCount <= capacity) return [{ start: 0, end: tokenCount }];
  const windows: Window[] = [];
  for (let start = 0; start < tokenCount - capacity; start += spec.stride) {
    windows.push({ start, end: start + capacity });
  }
  windows.push({ start: tokenCount - capacity, end: tokenCount });
  return windows;
}
