/**
 * Every command of the annotate view, once: its keys, its button, its line in the shortcut list ("?"), when it
 * may run and what it does (Excalidraw's actions). The key handler, the action buttons and the overlay all read
 * this table.
 */
import { accept, move, redo, skip, toggleLabel, undo } from '../../store/annotation';

export type Dialog = 'import' | 'export' | 'shortcuts' | null;

/** What a command may look at and do: the view's state at the moment of the key or click. */
export interface CommandContext {
  readOnly: boolean;
  hasDoc: boolean;
  canUndo: boolean;
  canRedo: boolean;
  labels: readonly string[];
  /** Runs a store action, showing its failure (a read-only refusal is shown by its banner). */
  run(action: () => Promise<unknown>): void;
  setDialog(update: (current: Dialog) => Dialog): void;
  setFinderOpen(open: boolean): void;
}

/**
 * Where a key works: `always` even in a field or a dialog (Esc); `list` also while the shortcut list is open;
 * `view` only on the view itself.
 */
type Scope = 'always' | 'list' | 'view';

export interface Command {
  id: string;
  /** The button's text; no button when absent. */
  button?: string;
  testId?: string;
  /** Keys as printed, one <kbd> each. */
  keys: readonly string[];
  /** The shortcut list's line. */
  description: string;
  scope: Scope;
  /** With Ctrl (Cmd on a Mac); the others run only without Ctrl, Cmd or Alt. */
  withCommandKey?: boolean;
  matches(event: Pick<KeyboardEvent, 'key' | 'shiftKey'>): boolean;
  enabled(context: CommandContext): boolean;
  perform(context: CommandContext, event: Pick<KeyboardEvent, 'key'> | null): void;
}

const writable = (context: CommandContext) => !context.readOnly;
const anyTime = () => true;
const keyIs =
  (...keys: string[]) =>
  (event: Pick<KeyboardEvent, 'key'>) =>
    keys.includes(event.key);
const undoKey = (shift: boolean) => (event: Pick<KeyboardEvent, 'key' | 'shiftKey'>) =>
  event.key.toLowerCase() === 'z' && event.shiftKey === shift;

export const COMMANDS: readonly Command[] = [
  {
    id: 'accept',
    button: 'Accept',
    testId: 'accept',
    keys: ['Enter'],
    description: 'Accept the decision (accepted if unchanged, corrected otherwise) and go to the next document',
    scope: 'view',
    matches: keyIs('Enter'),
    enabled: (context) => writable(context) && context.hasDoc,
    perform: (context) => context.run(accept),
  },
  {
    id: 'skip',
    button: 'Skip',
    keys: ['s'],
    description: 'Skip the document and go to the next one',
    scope: 'view',
    matches: keyIs('s'),
    enabled: (context) => writable(context) && context.hasDoc,
    perform: (context) => context.run(skip),
  },
  {
    id: 'previous',
    button: 'Previous',
    keys: ['k', '↑'],
    description: 'Previous document',
    scope: 'view',
    matches: keyIs('k', 'ArrowUp'),
    enabled: anyTime,
    perform: () => move(-1),
  },
  {
    id: 'next',
    button: 'Next',
    keys: ['j', '↓'],
    description: 'Next document',
    scope: 'view',
    matches: keyIs('j', 'ArrowDown'),
    enabled: anyTime,
    perform: () => move(1),
  },
  {
    id: 'undo',
    button: 'Undo',
    keys: ['Ctrl/Cmd+Z'],
    description: 'Undo (across documents)',
    scope: 'list',
    withCommandKey: true,
    matches: undoKey(false),
    enabled: (context) => writable(context) && context.canUndo,
    perform: (context) => context.run(undo),
  },
  {
    id: 'redo',
    button: 'Redo',
    keys: ['Shift+Ctrl/Cmd+Z'],
    description: 'Redo',
    scope: 'list',
    withCommandKey: true,
    matches: undoKey(true),
    enabled: (context) => writable(context) && context.canRedo,
    perform: (context) => context.run(redo),
  },
  {
    id: 'toggle-label',
    keys: ['1 … 9'],
    description: 'Toggle the label with that number',
    scope: 'view',
    matches: (event) => /^[1-9]$/.test(event.key),
    enabled: writable,
    perform: (context, event) => {
      const label = event ? context.labels[Number(event.key) - 1] : undefined;
      if (label !== undefined) context.run(() => toggleLabel(label));
    },
  },
  {
    id: 'find-label',
    button: 'Find label',
    keys: ['/'],
    description: 'Find a label by typing a few letters of its name (labels beyond nine)',
    scope: 'view',
    matches: keyIs('/'),
    enabled: writable,
    perform: (context) => context.setFinderOpen(true),
  },
  {
    id: 'shortcuts',
    button: 'Shortcuts',
    keys: ['?'],
    description: 'Show or hide this list',
    scope: 'list',
    matches: keyIs('?'),
    enabled: anyTime,
    perform: (context, event) => context.setDialog((current) => (current === 'shortcuts' && event ? null : 'shortcuts')),
  },
  {
    id: 'close',
    keys: ['Esc'],
    description: 'Close this list or the label finder',
    scope: 'always',
    matches: keyIs('Escape'),
    enabled: anyTime,
    perform: (context) => {
      context.setDialog((current) => (current === 'shortcuts' ? null : current));
      context.setFinderOpen(false);
    },
  },
];

/** Keys never act while the annotator types in a field. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(target.type);
  return false;
}

/** The command a key runs in the view's state, if any (and it may run now); `typing`: the key went to a field. */
export function commandForKey(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
  typing: boolean,
  dialog: Dialog,
  context: CommandContext,
): Command | null {
  const commandKey = event.ctrlKey || event.metaKey;
  for (const command of COMMANDS) {
    if (!command.matches(event)) continue;
    if (command.scope !== 'always') {
      if (typing) return null;
      if (command.withCommandKey ? !commandKey : commandKey || event.altKey) continue;
      const allowed = dialog === null || (dialog === 'shortcuts' && command.scope === 'list');
      if (!allowed) return null;
    }
    return command.enabled(context) ? command : null;
  }
  return null;
}
