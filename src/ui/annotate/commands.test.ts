import { describe, expect, it } from 'vitest';
import { COMMANDS, type CommandContext, commandForKey, type Dialog } from './commands';

function context(extra: Partial<CommandContext> = {}): CommandContext {
  return {
    readOnly: false,
    hasDoc: true,
    canUndo: true,
    canRedo: false,
    labels: ['A', 'B'],
    run: () => {},
    setDialog: () => {},
    setFinderOpen: () => {},
    ...extra,
  };
}

const key = (name: string, modifiers: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({
  key: name,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...modifiers,
});

const pressed = (
  name: string,
  options: { typing?: boolean; dialog?: Dialog; context?: CommandContext; shift?: boolean; ctrl?: boolean } = {},
) =>
  commandForKey(
    key(name, { ctrlKey: options.ctrl ?? false, shiftKey: options.shift ?? false }),
    options.typing ?? false,
    options.dialog ?? null,
    options.context ?? context(),
  )?.id ?? null;

describe('the command table', () => {
  it('maps the keys of the view to their commands', () => {
    expect(pressed('Enter')).toBe('accept');
    expect(pressed('s')).toBe('skip');
    expect(pressed('j')).toBe('next');
    expect(pressed('ArrowUp')).toBe('previous');
    expect(pressed('2')).toBe('toggle-label');
    expect(pressed('/')).toBe('find-label');
    expect(pressed('?')).toBe('shortcuts');
    expect(pressed('z', { ctrl: true })).toBe('undo');
    // Redo needs something to redo; undo something to undo.
    expect(pressed('Z', { ctrl: true, shift: true })).toBeNull();
    expect(pressed('Z', { ctrl: true, shift: true, context: context({ canRedo: true }) })).toBe('redo');
    expect(pressed('z', { ctrl: true, context: context({ canUndo: false }) })).toBeNull();
  });

  it('a read-only tab moves and lists shortcuts but changes nothing', () => {
    const readOnly = context({ readOnly: true });
    expect(pressed('Enter', { context: readOnly })).toBeNull();
    expect(pressed('1', { context: readOnly })).toBeNull();
    expect(pressed('z', { ctrl: true, context: readOnly })).toBeNull();
    expect(pressed('j', { context: readOnly })).toBe('next');
    expect(pressed('?', { context: readOnly })).toBe('shortcuts');
  });

  it('keys typed in a field or in a dialog do nothing, except Esc; the shortcut list takes undo and "?"', () => {
    expect(pressed('Enter', { typing: true })).toBeNull();
    expect(pressed('Escape', { typing: true })).toBe('close');
    expect(pressed('Enter', { dialog: 'import' })).toBeNull();
    expect(pressed('?', { dialog: 'import' })).toBeNull();
    expect(pressed('Enter', { dialog: 'shortcuts' })).toBeNull();
    expect(pressed('?', { dialog: 'shortcuts' })).toBe('shortcuts');
    expect(pressed('z', { ctrl: true, dialog: 'shortcuts' })).toBe('undo');
  });

  it('a key with Ctrl or Alt is not the plain key', () => {
    expect(pressed('s', { ctrl: true })).toBeNull();
    expect(commandForKey(key('s', { altKey: true }), false, null, context())).toBeNull();
    expect(pressed('z')).toBeNull();
  });

  it('every command has keys and a line in the shortcut list; ids are unique', () => {
    expect(new Set(COMMANDS.map((command) => command.id)).size).toBe(COMMANDS.length);
    for (const command of COMMANDS) {
      expect(command.keys.length).toBeGreaterThan(0);
      expect(command.description).not.toBe('');
    }
  });

  it('a number key past the last label runs nothing', () => {
    let runs = 0;
    const counting = context({ run: () => runs++ });
    const toggle = COMMANDS.find((command) => command.id === 'toggle-label');
    toggle?.perform(counting, { key: '3' });
    expect(runs).toBe(0);
    toggle?.perform(counting, { key: '2' });
    expect(runs).toBe(1);
  });
});
