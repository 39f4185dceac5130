import { useEffect, useRef, useState } from 'react';
import type { AnnotatedDoc, SessionSettings } from '../../store/db';
import { labelsMatching } from '../../store/labelFinder';
import { ReviewerMarks } from '../review/ReviewerMarks';
import { DocText, type Span, type WeightedSpan } from './DocText';
import type { Heatmap } from './useHeatmap';

const NOTE_SAVE_MS = 800;

interface Props {
  doc: AnnotatedDoc;
  settings: SessionSettings;
  heatmap: Heatmap;
  heatmapLabel: string | null;
  onHeatmapLabel: (label: string) => void;
  onToggle: (label: string) => void;
  /** Saves a document's note (stable function: the panel is keyed by document). */
  onNote: (key: string, note: string) => void;
  readOnly: boolean;
  finderOpen: boolean;
  onFinderClose: () => void;
}

/** Heatmap words of one label, split into the title's and the abstract's own coordinates. */
function heatmapWords(heatmap: Heatmap, label: string | null): { title: WeightedSpan[]; text: WeightedSpan[] } {
  if (heatmap.status !== 'ready' || label === null) return { title: [], text: [] };
  const index = heatmap.result.labels.findIndex((entry) => entry.name === label);
  const weights = heatmap.result.attention[index];
  if (index < 0 || !weights) return { title: [], text: [] };
  const title: WeightedSpan[] = [];
  const text: WeightedSpan[] = [];
  heatmap.result.words.forEach((word, i) => {
    const weight = weights[i] ?? 0;
    if (word.start >= heatmap.abstractStart) {
      text.push({ start: word.start - heatmap.abstractStart, end: word.end - heatmap.abstractStart, weight });
    } else if (word.end <= heatmap.titleLength) title.push({ start: word.start, end: word.end, weight });
  });
  return { title, text };
}

function LabelFinder({ labels, onPick, onClose }: { labels: string[]; onPick: (label: string) => void; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const matches = labelsMatching(labels, typed);
  return (
    <div className="aw-finder">
      <input
        ref={input}
        aria-label="Find a label by name"
        placeholder="Type a few letters of a label, Enter toggles the first match, Esc closes"
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
          if (event.key === 'Enter' && matches[0] !== undefined) {
            event.preventDefault();
            onPick(matches[0]);
            onClose();
          }
        }}
      />
      {typed && (
        <ul className="aw-finder-matches">
          {matches.slice(0, 8).map((label) => (
            <li key={label}>{label}</li>
          ))}
          {matches.length === 0 && <li>No label matches “{typed}”</li>}
        </ul>
      )}
    </div>
  );
}

export function CorrectionPanel(props: Props) {
  const { doc, settings, heatmap, heatmapLabel, readOnly } = props;
  const [note, setNote] = useState(doc.note);
  // Another document (or an undo) brings its own note.
  useEffect(() => setNote(doc.note), [doc.note]);
  const { onNote } = props;
  // Saved while typing too (after a pause), so a crash mid-note loses at most the last second.
  const pendingSave = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (note === doc.note) return;
    const timer = setTimeout(() => onNote(doc.key, note), NOTE_SAVE_MS);
    pendingSave.current = timer;
    return () => clearTimeout(timer);
  }, [note, doc.key, doc.note, onNote]);
  // Leaving the field saves at once; the save waiting for the pause would only write the same note again.
  const saveNow = () => {
    clearTimeout(pendingSave.current);
    onNote(doc.key, note);
  };
  const words = heatmapWords(heatmap, heatmapLabel);
  const evidence: Span[] = heatmapLabel === null ? [] : (doc.sentences ?? []).filter((sentence) => sentence.labels?.includes(heatmapLabel));
  const decided = new Set(doc.decision);
  const predicted = new Set(doc.predicted ?? []);

  return (
    <section className="aw-correct" aria-label="Document and labels" data-doc-key={doc.key}>
      <header className="aw-doc-head">
        <span className={`aw-status aw-status-${doc.status}`} data-testid="doc-status">
          {doc.status}
        </span>
        <span className="aw-doc-id">
          {doc.id}
          {doc.pmid && doc.pmid !== doc.id ? ` · PMID ${doc.pmid}` : ''}
        </span>
        {doc.model && (
          <span className="aw-muted">
            model {doc.model.id} {doc.model.version}
          </span>
        )}
      </header>
      <div className="aw-doc-body">
        {doc.title && (
          <h2 className="aw-doc-title" data-testid="doc-title">
            <DocText text={doc.title} words={words.title} />
          </h2>
        )}
        <p className="aw-doc-text" data-testid="doc-text">
          <DocText text={doc.text} words={words.text} evidence={evidence} />
        </p>
        <p className="aw-muted aw-heat-state">
          {heatmap.status === 'loading' && 'Computing the attention heatmap…'}
          {heatmap.status === 'ready' && heatmapLabel && `Heatmap: attention of “${heatmapLabel}”.`}
          {heatmap.status === 'ready' && evidence.length > 0 && ' Outlined: expert evidence sentences.'}
          {heatmap.status === 'error' && `No heatmap: ${heatmap.message}`}
          {heatmap.status === 'none' && 'Load a model to see attention heatmaps.'}
        </p>
      </div>
      <table className="aw-labels">
        <thead>
          <tr>
            <th scope="col">Decision (key)</th>
            <th scope="col">Model score</th>
            <th scope="col">Heatmap</th>
          </tr>
        </thead>
        <tbody>
          {settings.labels.map((label, index) => {
            const score = doc.scores?.[label];
            const threshold = settings.task === 'single_label' ? null : (settings.thresholds[label] ?? 0.5);
            return (
              <tr key={label} className={heatmapLabel === label ? 'aw-label-shown' : undefined}>
                <td>
                  <button
                    type="button"
                    className="aw-toggle"
                    aria-pressed={decided.has(label)}
                    data-label={label}
                    disabled={readOnly}
                    onClick={() => props.onToggle(label)}
                  >
                    <kbd>{index < 9 ? index + 1 : '/'}</kbd>
                    <span className="aw-check" aria-hidden="true">
                      {decided.has(label) ? '☑' : '☐'}
                    </span>
                    {label}
                  </button>
                  <ReviewerMarks review={doc.review} label={label} />
                </td>
                <td className="aw-score">
                  {score === undefined ? (
                    <span className="aw-muted">—</span>
                  ) : (
                    <>
                      <meter min={0} max={1} value={score} />
                      <span className={predicted.has(label) ? 'aw-predicted' : undefined}>
                        {score.toFixed(2)}
                        {predicted.has(label) ? ' ✓' : ''}
                      </span>
                      {threshold !== null && <span className="aw-muted"> / {threshold.toFixed(2)}</span>}
                    </>
                  )}
                </td>
                <td>
                  <input
                    type="radio"
                    name="aw-heatmap-label"
                    aria-label={`Show the heatmap of ${label}`}
                    checked={heatmapLabel === label}
                    onChange={() => props.onHeatmapLabel(label)}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {settings.labels.length === 0 && <p className="aw-muted">No labels yet: load a model, or import records that carry labels.</p>}
      {props.finderOpen && <LabelFinder labels={settings.labels} onPick={props.onToggle} onClose={props.onFinderClose} />}
      <label className="aw-note">
        Note
        <textarea value={note} disabled={readOnly} rows={2} onChange={(event) => setNote(event.target.value)} onBlur={saveNow} />
      </label>
    </section>
  );
}
