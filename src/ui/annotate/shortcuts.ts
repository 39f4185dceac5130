/** Every keyboard shortcut of the annotate view, as printed on the buttons and listed by "?". */
export const SHORTCUTS: { keys: string; action: string }[] = [
  { keys: '1 … 9', action: 'Toggle the label with that number' },
  { keys: '/', action: 'Find a label by typing a few letters of its name (labels beyond nine)' },
  { keys: 'Enter', action: 'Accept the decision (accepted if unchanged, corrected otherwise) and go to the next document' },
  { keys: 's', action: 'Skip the document and go to the next one' },
  { keys: 'j or ↓', action: 'Next document' },
  { keys: 'k or ↑', action: 'Previous document' },
  { keys: 'Ctrl/Cmd+Z', action: 'Undo (across documents)' },
  { keys: 'Shift+Ctrl/Cmd+Z', action: 'Redo' },
  { keys: '?', action: 'Show or hide this list' },
  { keys: 'Esc', action: 'Close this list or the label finder' },
];

/** Keys never act while the annotator types in a field. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(target.type);
  return false;
}
