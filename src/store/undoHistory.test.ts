import { describe, expect, it } from 'vitest';
import { EMPTY_HISTORY, type HistoryEntry, recorded, settled, taken } from './undoHistory';

const entry = (focus: string): HistoryEntry => ({ focus, changes: [] });

describe('undo history', () => {
  it('undo takes the latest change and redo gives it back, in mirror order', () => {
    let history = recorded(recorded(EMPTY_HISTORY, entry('a')), entry('b'));
    const first = taken(history, 'undo');
    expect(first?.entry.focus).toBe('b');
    history = settled(first?.history ?? history, 'undo', entry('b'), true);
    expect(history.redo.map((e) => e.focus)).toEqual(['b']);
    const again = taken(history, 'redo');
    expect(again?.entry.focus).toBe('b');
    history = settled(again?.history ?? history, 'redo', entry('b'), true);
    expect(history.undo.map((e) => e.focus)).toEqual(['a', 'b']);
    expect(history.redo).toEqual([]);
  });

  it('a step that could not be saved goes back where it was', () => {
    const history = recorded(EMPTY_HISTORY, entry('a'));
    const step = taken(history, 'undo');
    expect(step?.history.undo).toEqual([]);
    expect(settled(step?.history ?? history, 'undo', entry('a'), false)).toEqual({ undo: [entry('a')], redo: [] });
  });

  it('a new change clears what could be redone; nothing to take returns null', () => {
    const undone = settled(EMPTY_HISTORY, 'undo', entry('a'), true);
    expect(undone.redo).toHaveLength(1);
    expect(recorded(undone, entry('b')).redo).toEqual([]);
    expect(taken(EMPTY_HISTORY, 'undo')).toBeNull();
    expect(taken(EMPTY_HISTORY, 'redo')).toBeNull();
  });
});
