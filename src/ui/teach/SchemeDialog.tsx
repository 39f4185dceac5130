/** "New scheme": the librarian's own labels, each with a short description the first scores come from. */
import { useState } from 'react';
import { useModelStore } from '../../store/model';
import { createScheme, parseScheme, type TaughtScheme } from '../../store/teach';
import { shippedModelScheme } from '../../store/teachFiles';

interface Row {
  name: string;
  description: string;
}

const EMPTY_ROW: Row = { name: '', description: '' };

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function SchemeDialog({ onClose, current }: { onClose: () => void; current: TaughtScheme | null }) {
  const models = useModelStore((state) => state.models);
  const [name, setName] = useState(current?.name ?? '');
  const [task, setTask] = useState<TaughtScheme['task']>(current?.task ?? 'multi_label');
  const [rows, setRows] = useState<Row[]>(current?.labels.map((label) => ({ ...label })) ?? [{ ...EMPTY_ROW }]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const update = (index: number, patch: Partial<Row>) => setRows(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const adopt = (scheme: { task: TaughtScheme['task']; labels: Row[] }) => {
    setTask(scheme.task);
    setRows(scheme.labels.map((label) => ({ ...label })));
    setError(null);
  };

  const loadFile = async (file: File) => {
    try {
      adopt(parseScheme(JSON.parse(await file.text()), file.name));
      if (!name) setName(file.name.replace(/\.json$/i, ''));
    } catch (caught) {
      setError(caught instanceof SyntaxError ? `${file.name}: not valid JSON (${caught.message})` : errorText(caught));
    }
  };

  const loadModel = async (id: string) => {
    try {
      adopt(await shippedModelScheme(id));
      if (!name) setName(`${id} labels`);
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  const create = async () => {
    const labels = rows.filter((row) => row.name.trim() !== '' || row.description.trim() !== '');
    setBusy(true);
    try {
      await createScheme(name, { task, labels: labels.map((row) => ({ name: row.name.trim(), description: row.description.trim() })) });
      onClose();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    // Keys typed here are the dialog's: the view's shortcuts (Enter accepts a document) must not see them.
    <div
      className="aw-dialog tw-scheme"
      role="dialog"
      aria-modal="true"
      aria-labelledby="tw-scheme-title"
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Escape') onClose();
      }}
    >
      <h2 id="tw-scheme-title">New scheme</h2>
      <p className="aw-muted">
        Your own labels, each with a one- or two-sentence description: every document is scored from the descriptions before your first
        decision, and the model learns from each decision after that.
        {current && ' Creating a scheme replaces the current one and its model (your decisions on the documents stay).'}
      </p>
      <label>
        Scheme name <input value={name} onChange={(event) => setName(event.target.value)} data-testid="scheme-name" />
      </label>
      <fieldset>
        <legend>Each document takes</legend>
        <label>
          <input type="radio" name="tw-task" checked={task === 'multi_label'} onChange={() => setTask('multi_label')} /> any number of
          labels (multi-label; one label: screening)
        </label>
        <label>
          <input type="radio" name="tw-task" checked={task === 'single_label'} onChange={() => setTask('single_label')} /> exactly one label
          (single-label)
        </label>
      </fieldset>
      <fieldset>
        <legend>Labels</legend>
        {rows.map((row, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place while being typed
          <div className="tw-label-row" key={index}>
            <input
              aria-label={`Label ${index + 1} name`}
              placeholder="Name"
              value={row.name}
              onChange={(event) => update(index, { name: event.target.value })}
            />
            <textarea
              aria-label={`Label ${index + 1} description`}
              placeholder="What a document with this label is about, in a sentence or two"
              rows={2}
              value={row.description}
              onChange={(event) => update(index, { description: event.target.value })}
            />
            <button type="button" aria-label={`Remove label ${index + 1}`} onClick={() => setRows(rows.filter((_, i) => i !== index))}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setRows([...rows, { ...EMPTY_ROW }])} data-testid="scheme-add-label">
          Add a label
        </button>
      </fieldset>
      <fieldset>
        <legend>Or start from</legend>
        <label>
          A scheme file (labels.json){' '}
          <input
            type="file"
            accept=".json,application/json"
            data-testid="scheme-file"
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) void loadFile(file);
            }}
          />
        </label>
        <label>
          A shipped model's labels{' '}
          <select value="" onChange={(event) => event.target.value && void loadModel(event.target.value)} data-testid="scheme-from-model">
            <option value="">choose…</option>
            {(models ?? []).map((model) => (
              <option key={model.id} value={model.id}>
                {model.id} ({model.labelCount} labels)
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {error && (
        <p className="aw-error" role="alert" data-testid="scheme-error">
          {error}
        </p>
      )}
      <div className="aw-dialog-actions">
        <button type="button" disabled={busy} onClick={() => void create()} data-testid="scheme-create">
          Create scheme
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </div>
  );
}
