import { useModelStore } from '../../store/model';
import type { LoadProgress } from '../../worker/api';
import { backendNotes } from './BackendBadge';
import { formatBytes, formatMs } from './format';

function LoadBar({ progress }: { progress: LoadProgress | null }) {
  const files = progress?.files ?? [];
  const loaded = files.reduce((sum, file) => sum + file.loaded, 0);
  const total = files.reduce((sum, file) => sum + Math.max(file.total, file.loaded), 0);
  const phase = progress?.phase === 'session' ? 'Starting the model…' : 'Downloading model files…';
  // One line, like the status that replaces it: the views below must not move when loading ends.
  return (
    <div className="load-progress model-line" data-testid="model-load-progress">
      <label className="load-progress-label">
        {phase} {total > 0 && `${formatBytes(loaded)} of ${formatBytes(total)}`}
        <progress max={total || 1} value={loaded} />
      </label>
      <span className="load-files">
        {files
          .map(
            (file) =>
              `${file.file}: ${formatBytes(file.loaded)}${file.total > 0 && !file.done ? ` of ${formatBytes(file.total)}` : ''}${file.fromCache ? ' (cached)' : ''}`,
          )
          .join(' · ')}
      </span>
    </div>
  );
}

/** Says whether the selected model works without a network, and offers to fetch what it lacks (both graphs). */
function OfflineLine({ id }: { id: string }) {
  const offline = useModelStore((state) => state.offline[id]);
  const makeAvailableOffline = useModelStore((state) => state.makeAvailableOffline);
  if (!offline) return null;
  const ready = offline.missing.length === 0;
  return (
    <span data-testid="model-offline" data-available={ready}>
      {ready
        ? 'Available offline: every file of this model is stored on this device'
        : `Not fully available offline: ${offline.missing.join(', ')} not stored yet`}{' '}
      {!ready && (
        <button type="button" disabled={offline.saving} onClick={() => void makeAvailableOffline(id)} data-testid="make-offline">
          {offline.saving ? 'Downloading…' : 'Make available offline'}
        </button>
      )}
      {offline.error && <span className="model-error"> Could not store it: {offline.error}</span>}
    </span>
  );
}

/** Model picker, load progress and load errors; the model is shared by every tab. */
export function ModelBar() {
  const { models, indexError, selectedId, load, selectModel } = useModelStore();

  return (
    <section className="model-bar" aria-label="Model">
      <label className="model-picker">
        Model{' '}
        <select
          value={selectedId ?? ''}
          disabled={!models || models.length === 0}
          onChange={(event) => void selectModel(event.target.value)}
          data-testid="model-picker"
        >
          {models === null && <option value="">Loading the model list…</option>}
          {models?.length === 0 && <option value="">No models found</option>}
          {models?.map((model) => (
            <option key={model.id} value={model.id}>
              {model.id} {model.version && `v${model.version}`} · {model.labelCount} labels · {model.task.replace('_', '-')}
              {model.kind === 'taught' && ' · taught'}
            </option>
          ))}
        </select>
      </label>
      {indexError && <p className="model-error">Could not read the model list: {indexError}</p>}
      {load.status === 'idle' && !indexError && <p className="model-line" aria-hidden="true" />}
      {load.status === 'loading' && <LoadBar progress={load.progress} />}
      {load.status === 'error' && (
        <p className="model-error" role="alert" data-testid="model-error">
          Could not load {load.modelId}: {load.error}
        </p>
      )}
      {load.status === 'ready' && (
        <p
          className="model-status model-line"
          data-testid="model-ready"
          data-load-ms={load.info.loadMs}
          data-downloaded-bytes={load.info.downloadedBytes}
          data-cached-bytes={load.info.cachedBytes}
          data-graph={load.info.backend.graph}
        >
          Loaded in {formatMs(load.info.loadMs)} ·{' '}
          {load.info.downloadedBytes > 0 && `${formatBytes(load.info.downloadedBytes)} downloaded `}
          {load.info.cachedBytes > 0 && `${formatBytes(load.info.cachedBytes)} from cache `}· graph {load.info.backend.graph}
        </p>
      )}
      {/* Always there (empty until known), so the views below do not move when it fills in. */}
      <p className="model-status model-line">{load.status === 'ready' && <OfflineLine id={selectedId ?? load.info.id} />}</p>
      {load.status === 'ready' &&
        backendNotes(load.info.backend).map((note) => (
          <p key={note} className="model-warning" data-testid="backend-note">
            {note}
          </p>
        ))}
    </section>
  );
}
