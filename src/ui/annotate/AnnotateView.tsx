// Over 300 lines: for now; issue 15 splits it (one command table for keys, buttons and the shortcut overlay; banners and controls in their own files).
import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import {
  accept,
  adoptModel,
  bulkAccept,
  cancelPrediction,
  clearSession,
  dismissStorageError,
  initAnnotation,
  move,
  redo,
  setNote,
  setSettings,
  skip,
  startPrediction,
  takeOver,
  toggleLabel,
  undo,
  useAnnotation,
} from '../../store/annotation';
import { workerPredictor } from '../../store/annotationPredictor';
import { bulkAcceptable } from '../../store/annotationQueue';
import { NotOwnerError } from '../../store/db';
import { useModelStore } from '../../store/model';
import { initTeach, useTeach } from '../../store/teach';
import { TeachBar } from '../teach/TeachBar';
import { useTaughtHeatmap } from '../teach/useTaughtHeatmap';
import { CorrectionPanel } from './CorrectionPanel';
import { downloadExport, ExportDialog } from './ExportDialog';
import { ImportDialog } from './ImportDialog';
import { Queue } from './Queue';
import { ShortcutsOverlay } from './ShortcutsOverlay';
import { isTypingTarget } from './shortcuts';
import { useHeatmap } from './useHeatmap';
import './annotate.css';

type Dialog = 'import' | 'export' | 'shortcuts' | null;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const Banners = memo(function Banners({ onExport }: { onExport: () => void }) {
  const role = useAnnotation((state) => state.role);
  const persist = useAnnotation((state) => state.persist);
  const storageError = useAnnotation((state) => state.storageError);
  return (
    <>
      {role === 'read-only' && (
        <div className="aw-banner aw-banner-warn" role="alert" data-testid="read-only-banner">
          This session is open in another tab, which is the one saving work. This tab is read-only and shows that tab's changes as they
          happen.{' '}
          <button type="button" onClick={takeOver} data-testid="take-over">
            Take over here
          </button>
        </div>
      )}
      {role === 'unsupported' && (
        <div className="aw-banner aw-banner-warn" role="status">
          This browser cannot coordinate tabs (no Web Locks): keep this session open in one tab only.
        </div>
      )}
      {persist === 'refused' && (
        <div className="aw-banner" role="status" data-testid="persist-refused">
          The browser did not grant persistent storage: it may clear this session's data when space runs low. Export your work regularly.
        </div>
      )}
      {storageError && (
        <div className="aw-banner aw-banner-error" role="alert" data-testid="storage-error">
          {storageError}{' '}
          <button type="button" onClick={onExport}>
            Export now
          </button>{' '}
          <button type="button" onClick={dismissStorageError}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
});

function PredictionControls({ readOnly, onCancel, onStart }: { readOnly: boolean; onCancel: () => void; onStart: () => void }) {
  const load = useModelStore((state) => state.load);
  const prediction = useAnnotation((state) => state.prediction);
  const info = load.status === 'ready' ? load.info : null;
  return (
    <div className="aw-predict">
      {info === null ? (
        <span className="aw-muted">{load.status === 'loading' ? 'Loading the model…' : 'No model loaded: predictions wait for one.'}</span>
      ) : prediction.running ? (
        <>
          Predicting <progress value={prediction.done} max={prediction.total} data-testid="prediction-progress" /> {prediction.done}/
          {prediction.total}{' '}
          <button type="button" onClick={onCancel} data-testid="cancel-prediction">
            Cancel
          </button>
        </>
      ) : (
        <button type="button" disabled={readOnly} onClick={onStart}>
          Predict unscored documents with {info.id}
        </button>
      )}
      {prediction.error && (
        <span className="aw-error" role="alert">
          {' '}
          {prediction.error}
        </span>
      )}
    </div>
  );
}

const BatchProgress = memo(function BatchProgress() {
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

/** How long the keys must rest before the bulk-accept count is redone. */
const COUNT_AFTER_MS = 150;

/** "saving…" while writes are queued, "all saved" once they landed, and notes that could not be saved (kept, retried). */
const SaveState = memo(function SaveState() {
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

const BulkAccept = memo(function BulkAccept({ readOnly, onError }: { readOnly: boolean; onError: (message: string) => void }) {
  const [threshold, setThreshold] = useState(0.9);
  const order = useAnnotation((state) => state.order);
  const docs = useAnnotation((state) => state.docs);
  const settings = useAnnotation((state) => state.settings);
  const [eligible, setEligible] = useState(0);
  useEffect(() => {
    // Counted once the keys pause: going over 10,000 documents on every keypress delayed the next document's
    // frame (a deferred render still ran before it). bulkAccept counts afresh when clicked.
    const timer = setTimeout(() => {
      let count = 0;
      for (const key of order) if (bulkAcceptable(docs.get(key), settings, threshold)) count++;
      setEligible(count);
    }, COUNT_AFTER_MS);
    return () => clearTimeout(timer);
  }, [order, docs, settings, threshold]);
  return (
    <div className="aw-bulk">
      <label>
        Accept predictions with confidence ≥{' '}
        <input
          type="number"
          min={0}
          max={1}
          step={0.01}
          value={threshold}
          onChange={(event) => setThreshold(Number(event.target.value))}
          aria-label="Minimum confidence"
        />
      </label>{' '}
      <button
        type="button"
        disabled={readOnly || eligible === 0}
        onClick={() => bulkAccept(threshold).catch((error: unknown) => onError(errorText(error)))}
        data-testid="bulk-accept"
      >
        Accept {eligible} shown
      </button>
    </div>
  );
});

export function AnnotateView() {
  const ready = useAnnotation((state) => state.ready);
  const role = useAnnotation((state) => state.role);
  const settings = useAnnotation((state) => state.settings);
  const currentKey = useAnnotation((state) => state.currentKey);
  const doc = useAnnotation((state) => (state.currentKey ? state.docs.get(state.currentKey) : undefined)) ?? null;
  const docCount = useAnnotation((state) => state.docs.size);
  const canUndo = useAnnotation((state) => state.canUndo);
  const canRedo = useAnnotation((state) => state.canRedo);
  const load = useModelStore((state) => state.load);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [finderOpen, setFinderOpen] = useState(false);
  const [chosenHeatmapLabel, setHeatmapLabel] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [autoPredict, setAutoPredict] = useState(true);
  const readOnly = role !== 'active' && role !== 'unsupported';
  // Teach (issue 19): a session with its own scheme is scored, sorted and heat-mapped by the scheme's model, not the picker's.
  const teaching = useTeach((state) => state.scheme !== null);
  const classifierHeatmap = useHeatmap(teaching ? null : doc, settings.classifierInput);
  const taughtHeatmap = useTaughtHeatmap(teaching ? doc : null, settings.classifierInput);
  const heatmap = teaching ? taughtHeatmap : classifierHeatmap;
  const info = load.status === 'ready' ? load.info : null;

  useEffect(() => {
    initAnnotation()
      .then(initTeach)
      .catch((error: unknown) => setActionError(`Could not open the saved session: ${errorText(error)}`));
  }, []);

  // The loaded model's labels and thresholds become the session's (unless the session teaches its own scheme).
  useEffect(() => {
    if (info && !readOnly && !teaching) adoptModel(workerPredictor(info).model).catch((error: unknown) => setActionError(errorText(error)));
  }, [info, readOnly, teaching]);

  // Predict in the background as soon as there is a model and something to predict (the annotator can cancel).
  useEffect(() => {
    if (!info || readOnly || !autoPredict || !ready || docCount === 0 || teaching) return;
    startPrediction(workerPredictor(info)).catch((error: unknown) => setActionError(errorText(error)));
  }, [info, readOnly, autoPredict, ready, docCount, teaching]);

  const run = useCallback((action: () => Promise<unknown>) => {
    action().catch((error: unknown) => {
      if (error instanceof NotOwnerError) return; // the read-only banner says it
      setActionError(errorText(error));
    });
  }, []);
  const openExport = useCallback(() => setDialog('export'), []);
  const saveNote = useCallback((key: string, note: string) => run(() => setNote(key, note)), [run]);

  const heatmapLabel =
    chosenHeatmapLabel && settings.labels.includes(chosenHeatmapLabel)
      ? chosenHeatmapLabel
      : doc?.scores
        ? ([...settings.labels].sort((a, b) => (doc.scores?.[b] ?? 0) - (doc.scores?.[a] ?? 0))[0] ?? null)
        : (settings.labels[0] ?? null);

  // Keyboard first: one listener for the whole view, reading fresh state at each key.
  const keyState = useRef({ dialog, readOnly, labels: settings.labels });
  keyState.current = { dialog, readOnly, labels: settings.labels };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const { dialog: open, readOnly: locked, labels } = keyState.current;
      if (event.key === 'Escape') {
        setDialog((current) => (current === 'shortcuts' ? null : current));
        setFinderOpen(false);
        return;
      }
      if (open !== null && open !== 'shortcuts') return;
      if (isTypingTarget(event.target) || event.isComposing) return;
      const command = event.ctrlKey || event.metaKey;
      if (command && event.key.toLowerCase() === 'z') {
        event.preventDefault();
        if (!locked) run(event.shiftKey ? redo : undo);
        return;
      }
      if (command || event.altKey) return;
      if (event.key === '?') {
        event.preventDefault();
        setDialog((current) => (current === 'shortcuts' ? null : 'shortcuts'));
        return;
      }
      if (open !== null) return;
      const key = event.key;
      if (key === 'ArrowDown' || key === 'j') move(1);
      else if (key === 'ArrowUp' || key === 'k') move(-1);
      else if (locked) return;
      else if (key === 'Enter') run(accept);
      else if (key === 's') run(skip);
      else if (key === '/') setFinderOpen(true);
      else if (/^[1-9]$/.test(key)) {
        const label = labels[Number(key) - 1];
        if (label !== undefined) run(() => toggleLabel(label));
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run]);

  if (!ready) return <p className="aw-muted">Opening the saved session…</p>;

  return (
    <div className="aw-view" data-testid="annotate-view" data-role={role}>
      <div className="aw-toolbar">
        <button type="button" onClick={() => setDialog('import')} disabled={readOnly} data-testid="open-import">
          Import…
        </button>
        <button type="button" onClick={() => setDialog('export')} data-testid="open-export">
          Export…
        </button>
        <label>
          Annotator{' '}
          <input
            value={settings.annotator}
            disabled={readOnly}
            placeholder="Your name"
            onChange={(event) => run(() => setSettings({ annotator: event.target.value }))}
            data-testid="annotator"
          />
        </label>
        {/* Teach (issue 19): a taught scheme rescores on its own after each training. */}
        {!teaching && (
          <PredictionControls
            readOnly={readOnly}
            onCancel={() => {
              // A cancelled batch stays cancelled until the annotator asks again.
              setAutoPredict(false);
              cancelPrediction();
            }}
            onStart={() => {
              setAutoPredict(true);
              if (info) run(() => startPrediction(workerPredictor(info)));
            }}
          />
        )}
        <button
          type="button"
          className="aw-danger"
          disabled={readOnly || docCount === 0}
          onClick={() => {
            if (!window.confirm('Delete every document and decision of this session? Export first if you need them.')) return;
            cancelPrediction();
            run(clearSession);
          }}
        >
          Clear session
        </button>
      </div>
      {/* Below the toolbar: banners arrive after the view (storage refused, waiting for the tab lock) and must not move its buttons. */}
      <Banners onExport={openExport} />
      <BatchProgress />
      <SaveState />
      <TeachBar readOnly={readOnly} />
      <BulkAccept readOnly={readOnly} onError={setActionError} />
      {actionError && (
        <div className="aw-banner aw-banner-error" role="alert">
          {actionError}{' '}
          <button type="button" onClick={() => setActionError(null)}>
            Dismiss
          </button>
          {actionError.includes('room') && (
            <button type="button" onClick={() => downloadExport('all', 'jsonl', settings.labels)}>
              Export everything now
            </button>
          )}
        </div>
      )}
      {docCount === 0 ? (
        <p className="aw-empty">
          No documents yet. Import a PubMed export, a JSONL/CSV/text file, pasted text or a list of PMIDs to start.
        </p>
      ) : (
        <div className="aw-main">
          <Queue />
          <div className="aw-side">
            <div className="aw-actions">
              <button type="button" disabled={readOnly || !doc} onClick={() => run(accept)} data-testid="accept">
                Accept <kbd>Enter</kbd>
              </button>
              <button type="button" disabled={readOnly || !doc} onClick={() => run(skip)}>
                Skip <kbd>s</kbd>
              </button>
              <button type="button" onClick={() => move(-1)}>
                Previous <kbd>k</kbd>/<kbd>↑</kbd>
              </button>
              <button type="button" onClick={() => move(1)}>
                Next <kbd>j</kbd>/<kbd>↓</kbd>
              </button>
              <button type="button" disabled={readOnly || !canUndo} onClick={() => run(undo)}>
                Undo <kbd>Ctrl+Z</kbd>
              </button>
              <button type="button" disabled={readOnly || !canRedo} onClick={() => run(redo)}>
                Redo <kbd>Shift+Ctrl+Z</kbd>
              </button>
              <button type="button" onClick={() => setFinderOpen(true)} disabled={readOnly}>
                Find label <kbd>/</kbd>
              </button>
              <button type="button" onClick={() => setDialog('shortcuts')}>
                Shortcuts <kbd>?</kbd>
              </button>
            </div>
            {doc ? (
              <CorrectionPanel
                key={currentKey}
                doc={doc}
                settings={settings}
                heatmap={heatmap}
                heatmapLabel={heatmapLabel}
                onHeatmapLabel={setHeatmapLabel}
                onToggle={(label) => run(() => toggleLabel(label))}
                onNote={saveNote}
                readOnly={readOnly}
                finderOpen={finderOpen}
                onFinderClose={() => setFinderOpen(false)}
              />
            ) : (
              <p className="aw-muted">No document matches the filter.</p>
            )}
          </div>
        </div>
      )}
      {dialog === 'import' && <ImportDialog onClose={() => setDialog(null)} />}
      {dialog === 'export' && <ExportDialog onClose={() => setDialog(null)} />}
      {dialog === 'shortcuts' && <ShortcutsOverlay onClose={() => setDialog(null)} />}
    </div>
  );
}
