import { memo, useEffect, useState } from 'react';
import { bulkAccept, useAnnotation } from '../../store/annotation';
import { bulkAcceptable } from '../../store/annotationQueue';
import { useModelStore } from '../../store/model';

/** The background batch: its progress and Cancel, or a button to start it with the loaded model. */
export function PredictionControls({ readOnly, onCancel, onStart }: { readOnly: boolean; onCancel: () => void; onStart: () => void }) {
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

/** How long the keys must rest before the bulk-accept count is redone. */
const COUNT_AFTER_MS = 150;

/** "Accept predictions with confidence ≥ X" over the queue as shown. */
export const BulkAccept = memo(function BulkAccept({
  readOnly,
  run,
}: {
  readOnly: boolean;
  run: (action: () => Promise<unknown>) => void;
}) {
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
        onClick={() => run(() => bulkAccept(threshold))}
        data-testid="bulk-accept"
      >
        Accept {eligible} shown
      </button>
    </div>
  );
});
