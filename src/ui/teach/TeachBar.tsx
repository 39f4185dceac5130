/** Teach in the annotate view: the scheme, what its model is (version, decisions, quality), and its commands. */
import { memo, useState } from 'react';
import { useAnnotation } from '../../store/annotation';
import { type TeachState, useTeach } from '../../store/teach';
import { exportTaughtModel } from '../../store/teachFiles';
import { SchemeDialog } from './SchemeDialog';
import './teach.css';

function percent(value: number): string {
  return value.toFixed(2);
}

function Quality({ quality }: { quality: TeachState['quality'] }) {
  if (!quality) return null;
  const metric = quality.metric === 'micro_f1' ? 'micro-F1' : 'accuracy';
  return (
    <span data-testid="teach-quality">
      {quality.value === null || quality.low === null || quality.high === null
        ? `Quality: ${quality.message}`
        : `Quality, cross-validated on ${quality.decisions} decisions (${quality.folds} folds): ${metric} ${percent(quality.value)} (95% interval ${percent(quality.low)}–${percent(quality.high)})`}
    </span>
  );
}

/** Which model version scored the document on screen, and how many decisions that version had learned from. */
const DocModel = memo(function DocModel({ schemeId, history }: { schemeId: string; history: number[] }) {
  const model = useAnnotation((state) => (state.currentKey ? state.docs.get(state.currentKey)?.model : undefined));
  if (!model || model.id !== schemeId) return <span className="aw-muted">This document has no score from the scheme's model yet.</span>;
  const version = Number(model.version);
  return (
    <span data-testid="teach-doc-model" data-version={model.version}>
      This document's scores: model version {model.version},{' '}
      {version === 0 ? 'from the label descriptions only' : `trained on ${history[version] ?? '?'} decisions`}.
    </span>
  );
});

export function TeachBar({ readOnly }: { readOnly: boolean }) {
  const { scheme, phase, features, model, history, training, quality, error } = useTeach();
  const prediction = useAnnotation((state) => state.prediction);
  const [open, setOpen] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const exportModel = () => {
    setExportError(null);
    exportTaughtModel()
      .then(({ file, version, decisions }) => setExported(`Exported ${file}: model version ${version}, ${decisions} decisions.`))
      .catch((caught: unknown) => setExportError(caught instanceof Error ? caught.message : String(caught)));
  };
  return (
    <div className="tw-bar" data-testid="teach-bar" data-phase={phase} data-features-computed={features.total}>
      <button type="button" disabled={readOnly} onClick={() => setOpen(true)} data-testid="new-scheme">
        New scheme…
      </button>
      {scheme && (
        <button type="button" disabled={phase !== 'ready'} onClick={exportModel} data-testid="export-model">
          Export model
        </button>
      )}
      {scheme && (
        <div className="tw-status" data-testid="teach-status">
          <strong data-testid="teach-scheme">
            Scheme “{scheme.name}”: {scheme.labels.length} {scheme.labels.length === 1 ? 'label' : 'labels'},{' '}
            {scheme.task === 'single_label' ? 'one per document' : scheme.labels.length === 1 ? 'screening' : 'any number per document'}
          </strong>
          {phase === 'loading' && <span>Loading the encoder…</span>}
          {phase === 'features' && (
            <span>
              Reading the documents with the encoder (once each) <progress value={features.done} max={Math.max(1, features.total)} />{' '}
              {features.done}/{features.total}
            </span>
          )}
          {model && (
            <span data-testid="teach-model" data-version={model.version} data-decisions={model.decisions} data-rebuilt={model.rebuiltFrom}>
              {model.version === 0 ? (
                <span data-testid="teach-descriptions-only">
                  Scores from the label descriptions only: no decision has trained the model yet.
                </span>
              ) : (
                `Model version ${model.version}, trained on ${model.decisions} decisions (${Math.round(model.trainingMs)} ms).`
              )}
              {training && ' Training on the latest decisions…'}
              {prediction.running && ` Rescoring ${prediction.done}/${prediction.total}…`}
            </span>
          )}
          <Quality quality={quality} />
          <DocModel schemeId={scheme.id} history={history} />
          {model?.notes.map((note) => (
            <span key={note} className="aw-muted">
              {note}
            </span>
          ))}
        </div>
      )}
      {exported && (
        <span role="status" data-testid="export-model-done">
          {exported}
        </span>
      )}
      {(error ?? exportError) && (
        <span className="aw-error" role="alert" data-testid="teach-error">
          {error ?? exportError}
        </span>
      )}
      {open && <SchemeDialog current={scheme} onClose={() => setOpen(false)} />}
    </div>
  );
}
