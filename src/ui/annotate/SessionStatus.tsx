import { memo, useDeferredValue, useMemo } from 'react';
import { useAnnotation } from '../../store/annotation';

/** How far the review is, by status. */
export const BatchProgress = memo(function BatchProgress() {
  // Counted in a deferred render, after the next document is on screen.
  const docs = useDeferredValue(useAnnotation((state) => state.docs));
  const counts = useMemo(() => {
    const byStatus = { new: 0, predicted: 0, accepted: 0, corrected: 0, skipped: 0 };
    for (const doc of docs.values()) byStatus[doc.status]++;
    return byStatus;
  }, [docs]);
  const reviewed = counts.accepted + counts.corrected + counts.skipped;
  return (
    <div className="aw-batch" data-testid="batch-progress">
      <progress value={reviewed} max={Math.max(1, docs.size)} aria-label="Reviewed documents" /> {reviewed} of {docs.size} reviewed ·{' '}
      {counts.accepted} accepted · {counts.corrected} corrected · {counts.skipped} skipped · {counts.predicted} predicted · {counts.new} new
    </div>
  );
});

/** "saving…" while writes are queued, "all saved" once they landed, and notes that could not be saved (kept, retried). */
export const SaveState = memo(function SaveState() {
  const pendingSaves = useAnnotation((state) => state.pendingSaves);
  const unsavedNotes = useAnnotation((state) => state.unsavedNotes);
  const state = unsavedNotes.size > 0 ? 'unsaved' : pendingSaves > 0 ? 'saving' : 'saved';
  return (
    <span className={state === 'unsaved' ? 'aw-error' : 'aw-muted'} data-testid="save-state" data-state={state} role="status">
      {state === 'saving' && 'saving…'}
      {state === 'saved' && 'all saved'}
      {state === 'unsaved' &&
        `${unsavedNotes.size} ${unsavedNotes.size === 1 ? 'note' : 'notes'} not saved yet (kept here, retried; handed to the tab that took over)`}
    </span>
  );
});
