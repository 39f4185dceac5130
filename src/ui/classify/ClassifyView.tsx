import { useMemo } from 'react';
import { useModelStore } from '../../store/model';
import { useClassifyStore } from '../../store/modelClassify';
import type { ClassifyResult } from '../../worker/api';
import { BackendBadge, backendNotes } from '../shell/BackendBadge';
import { formatMs } from '../shell/format';
import { type ExampleAbstract, type ExampleSentence, examplesForModel } from './examples';
import { Heatmap } from './Heatmap';
import { LabelList } from './LabelList';
import './classify.css';

function TextInput({ examples }: { examples: ExampleAbstract[] }) {
  const { text, exampleId, run, setText, classify, cancel } = useClassifyStore();
  const modelReady = useModelStore((state) => state.load.status === 'ready');
  const running = run.status === 'running';
  const empty = text.trim().length === 0;
  const hint = empty ? 'Paste or type a text to classify, or pick an example.' : !modelReady ? 'Waiting for the model to load.' : '';

  return (
    <section className="classify-input" aria-label="Text">
      <label className="classify-example">
        Example abstract{' '}
        <select
          value={exampleId ?? ''}
          onChange={(event) => {
            const example = examples.find((candidate) => candidate.id === event.target.value);
            if (example) setText(example.text, example.id);
          }}
          data-testid="example-picker"
        >
          <option value="">Choose…</option>
          {examples.map((example) => (
            <option key={example.id} value={example.id}>
              {example.id} ({example.labels.length > 0 ? example.labels.join(', ') : 'no labels'})
            </option>
          ))}
        </select>
      </label>
      <textarea
        className="classify-text"
        aria-label="Text to classify"
        placeholder="Paste an abstract here…"
        value={text}
        onChange={(event) => setText(event.target.value)}
        spellCheck={false}
        data-testid="text-input"
      />
      <div className="classify-actions">
        <button
          type="button"
          className="primary"
          disabled={empty || !modelReady || running}
          onClick={() => void classify()}
          data-testid="classify-button"
        >
          Classify
        </button>
        {running && (
          <button type="button" onClick={cancel} data-testid="cancel-button">
            Cancel
          </button>
        )}
        <span className="classify-hint" data-testid="classify-hint">
          {hint}
        </span>
        <span className="classify-count">{text.length.toLocaleString()} characters</span>
      </div>
      {running && (
        <label className="run-progress" data-testid="run-progress">
          {run.progress ? `Window ${run.progress.window} of ${run.progress.windowsTotal}: running the model…` : 'Tokenizing…'}
          <progress max={run.progress?.windowsTotal ?? 1} value={run.progress?.windowsDone ?? 0} />
        </label>
      )}
      {run.status === 'refused' && (
        <p className="classify-message" role="alert" data-testid="refused">
          {run.message}
        </p>
      )}
      {run.status === 'error' && (
        <p className="classify-message" role="alert" data-testid="run-error">
          Classification failed: {run.error}
        </p>
      )}
      {run.status === 'cancelled' && (
        <p className="classify-message" data-testid="cancelled">
          Cancelled.
        </p>
      )}
    </section>
  );
}

const noEvidence: ExampleSentence[] = [];

function Results({
  result,
  text,
  runId,
  example,
}: {
  result: ClassifyResult;
  text: string;
  runId: number;
  example: ExampleAbstract | null;
}) {
  const primaryLabel = useClassifyStore((state) => state.primaryLabel);
  const compareLabel = useClassifyStore((state) => state.compareLabel);
  const showLabel = useClassifyStore((state) => state.showLabel);
  const toggleCompare = useClassifyStore((state) => state.toggleCompare);
  const task = useModelStore((state) => (state.load.status === 'ready' ? state.load.info.task : 'multi_label'));
  // A taught model runs one sentence per encoder sequence, and its attention is over sentences.
  const taught = useModelStore((state) => state.load.status === 'ready' && state.load.info.kind === 'taught');
  const unit = taught ? ['sentence', 'sentences'] : ['window', 'windows'];
  const shown = [primaryLabel, compareLabel].filter((name): name is string => name !== null);
  // Gold evidence applies only while the classified text is exactly the example's.
  const exampleMatches = example !== null && example.text === text;
  const evidenceByLabel = useMemo(() => {
    const byLabel = new Map<string, ExampleSentence[]>();
    for (const label of result.labels) {
      byLabel.set(label.name, exampleMatches ? (example?.sentences ?? []).filter((s) => s.labels.includes(label.name)) : []);
    }
    return byLabel;
  }, [result, example, exampleMatches]);

  return (
    <section
      className="classify-results"
      aria-label="Results"
      data-testid="results"
      data-total-ms={result.timing.totalMs}
      data-inference-ms={result.timing.inferenceMs}
      data-windows={result.windows}
      data-rechecked={result.recheck === 'done'}
      data-recheck={result.recheck}
      data-run={runId}
    >
      <div className="run-summary">
        <BackendBadge backend={result.backend} timeMs={result.timing.totalMs} />
        <span>
          {result.tokens.toLocaleString()} tokens · {result.windows} {result.windows === 1 ? unit[0] : unit[1]} · inference{' '}
          {formatMs(result.timing.inferenceMs)}
        </span>
        {backendNotes(result.backend).map((note) => (
          <span key={note} className="run-note">
            {note}
          </span>
        ))}
        {result.recheck === 'done' && (
          <span className="run-note" data-testid="rechecked">
            a score lay near its threshold: rescored with fp16 weights
          </span>
        )}
        {result.recheck === 'unavailable' && (
          <span className="run-note" data-testid="not-rechecked" title={result.recheckError}>
            a score lies near its threshold but the fp16 recheck graph could not be read: int8 result, not rechecked (classify again to
            retry)
          </span>
        )}
      </div>
      <LabelList
        labels={result.labels}
        task={task}
        gold={example && exampleMatches ? example.labels : null}
        primary={primaryLabel}
        compare={compareLabel}
        onShow={showLabel}
        onCompare={toggleCompare}
      />
      <div className={shown.length > 1 ? 'heatmaps heatmaps-compare' : 'heatmaps'}>
        {shown.map((name) => {
          const index = result.labels.findIndex((label) => label.name === name);
          return (
            <Heatmap
              // A new run or label starts a fresh heatmap, rendered chunk by chunk.
              key={`${runId}:${name}`}
              label={name}
              description={result.labels[index]?.description ?? ''}
              text={text}
              words={result.words}
              weights={result.attention[index] ?? []}
              evidence={evidenceByLabel.get(name) ?? noEvidence}
              note={taught ? "the taught model's attention over sentences: each sentence's share spread over its words" : undefined}
            />
          );
        })}
      </div>
    </section>
  );
}

export function ClassifyView() {
  const modelId = useModelStore((state) => state.selectedId);
  const run = useClassifyStore((state) => state.run);
  const exampleId = useClassifyStore((state) => state.exampleId);
  const examples = useMemo(() => examplesForModel(modelId ?? ''), [modelId]);
  const example = examples.find((candidate) => candidate.id === exampleId) ?? null;

  return (
    <div className="classify">
      <TextInput examples={examples} />
      {run.status === 'done' && <Results result={run.result} text={run.text} runId={run.runId} example={example} />}
    </div>
  );
}
