import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../core/errors';
import {
  adoptModel,
  cancelPrediction,
  clearSession,
  initAnnotation,
  mayWrite,
  setNote,
  setSettings,
  startPrediction,
  toggleLabel,
  useAnnotation,
} from '../../store/annotation';
import { workerPredictor } from '../../store/annotationPredictor';
import { NotOwnerError, StorageFullError } from '../../store/db';
import { useModelStore } from '../../store/model';
import { initTeach, useTeach } from '../../store/teach';
import { TeachBar } from '../teach/TeachBar';
import { useTaughtHeatmap } from '../teach/useTaughtHeatmap';
import { Banners } from './Banners';
import { CommandButtons } from './CommandButtons';
import { CorrectionPanel } from './CorrectionPanel';
import { type CommandContext, commandForKey, type Dialog, isTypingTarget } from './commands';
import { ExportDialog } from './ExportDialog';
import { ImportDialog } from './ImportDialog';
import { BulkAccept, PredictionControls } from './PredictionControls';
import { Queue } from './Queue';
import { BatchProgress, SaveState } from './SessionStatus';
import { ShortcutsOverlay } from './ShortcutsOverlay';
import { useHeatmap } from './useHeatmap';
import './annotate.css';

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
  const readOnly = !mayWrite(role);
  // Teach (issue 19): a session with its own scheme is scored, sorted and heat-mapped by the scheme's model, not the picker's.
  const teaching = useTeach((state) => state.scheme !== null);
  const classifierHeatmap = useHeatmap(teaching ? null : doc, settings.classifierInput);
  const taughtHeatmap = useTaughtHeatmap(teaching ? doc : null, settings.classifierInput);
  const heatmap = teaching ? taughtHeatmap : classifierHeatmap;
  const info = load.status === 'ready' ? load.info : null;

  useEffect(() => {
    initAnnotation()
      .then(initTeach)
      .catch((error: unknown) => setActionError(`Could not open the saved session: ${errorMessage(error)}`));
  }, []);

  // The loaded model's labels and thresholds become the session's (unless the session teaches its own scheme).
  useEffect(() => {
    if (info && !readOnly && !teaching)
      adoptModel(workerPredictor(info).model).catch((error: unknown) => setActionError(errorMessage(error)));
  }, [info, readOnly, teaching]);

  // Predict in the background as soon as there is a model and something to predict (the annotator can cancel).
  useEffect(() => {
    if (!info || readOnly || !autoPredict || !ready || docCount === 0 || teaching) return;
    startPrediction(workerPredictor(info)).catch((error: unknown) => setActionError(errorMessage(error)));
  }, [info, readOnly, autoPredict, ready, docCount, teaching]);

  const run = useCallback((action: () => Promise<unknown>) => {
    action().catch((error: unknown) => {
      // The banners say these: the read-only one, and the storage-full one with its export buttons.
      if (error instanceof NotOwnerError || error instanceof StorageFullError) return;
      setActionError(errorMessage(error));
    });
  }, []);
  const openExport = useCallback(() => setDialog('export'), []);
  const saveNote = useCallback((key: string, note: string) => run(() => setNote(key, note)), [run]);

  const context: CommandContext = useMemo(
    () => ({ readOnly, hasDoc: doc !== null, canUndo, canRedo, labels: settings.labels, run, setDialog, setFinderOpen }),
    [readOnly, doc, canUndo, canRedo, settings.labels, run],
  );

  // Keyboard first: one listener for the whole view, reading the view's state at each key.
  const keyState = useRef({ dialog, context });
  keyState.current = { dialog, context };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const typing = isTypingTarget(event.target) || event.isComposing;
      const command = commandForKey(event, typing, keyState.current.dialog, keyState.current.context);
      if (!command) return;
      if (command.scope !== 'always') event.preventDefault();
      command.perform(keyState.current.context, event);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const heatmapLabel =
    chosenHeatmapLabel && settings.labels.includes(chosenHeatmapLabel)
      ? chosenHeatmapLabel
      : doc?.scores
        ? ([...settings.labels].sort((a, b) => (doc.scores?.[b] ?? 0) - (doc.scores?.[a] ?? 0))[0] ?? null)
        : (settings.labels[0] ?? null);

  if (!ready) return <p className="aw-muted">Opening the saved session…</p>;

  return (
    <div className="aw-view" data-testid="annotate-view" data-role={role}>
      <div className="aw-toolbar">
        <button type="button" onClick={() => setDialog('import')} disabled={readOnly} data-testid="open-import">
          Import…
        </button>
        <button type="button" onClick={openExport} data-testid="open-export">
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
      <BulkAccept readOnly={readOnly} run={run} />
      {actionError && (
        <div className="aw-banner aw-banner-error" role="alert">
          {actionError}{' '}
          <button type="button" onClick={() => setActionError(null)}>
            Dismiss
          </button>
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
            <CommandButtons context={context} />
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
