/**
 * Undo and redo as one history: an entry records each document's decision before and after a change; undo puts
 * the `before` side back and moves the entry to the redo stack, redo puts `after` back and moves it back.
 */
import type { DecisionChange } from './annotationDocs';

export interface HistoryEntry {
  /** The document to show when the entry is replayed. */
  focus: string;
  changes: DecisionChange[];
}

export interface UndoHistory {
  readonly undo: readonly HistoryEntry[];
  readonly redo: readonly HistoryEntry[];
}

export type Direction = keyof UndoHistory;

export const EMPTY_HISTORY: UndoHistory = { undo: [], redo: [] };

/** Which side of its changes a step puts back. */
export const SIDE_OF: Record<Direction, 'before' | 'after'> = { undo: 'before', redo: 'after' };

const OPPOSITE: Record<Direction, Direction> = { undo: 'redo', redo: 'undo' };

/** A new change: it can be undone, and what was undone before can no longer be redone. */
export function recorded(history: UndoHistory, entry: HistoryEntry): UndoHistory {
  return { undo: [...history.undo, entry], redo: [] };
}

/** The entry a step in this direction replays, and the history while it runs (the entry taken off its stack). */
export function taken(history: UndoHistory, direction: Direction): { entry: HistoryEntry; history: UndoHistory } | null {
  const stack = history[direction];
  const entry = stack[stack.length - 1];
  if (!entry) return null;
  return { entry, history: { ...history, [direction]: stack.slice(0, -1) } };
}

/** After the step: a replayed entry goes to the other stack; one that failed goes back where it was. */
export function settled(history: UndoHistory, direction: Direction, entry: HistoryEntry, replayed: boolean): UndoHistory {
  const stack = replayed ? OPPOSITE[direction] : direction;
  return { ...history, [stack]: [...history[stack], entry] };
}
