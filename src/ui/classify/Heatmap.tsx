import { memo, useEffect, useMemo, useState } from 'react';
import type { ExampleSentence } from './examples';
import { topPhrases } from './phrases';

interface WordSpan {
  start: number;
  end: number;
}

interface HeatmapProps {
  label: string;
  description: string;
  text: string;
  words: WordSpan[];
  weights: number[];
  /** Gold evidence sentences for this label (built-in examples only); underlined. */
  evidence: ExampleSentence[];
  /** What the weights are, where they are not the label attention over word pieces (a taught model's). */
  note?: string;
}

/** Words per rendered chunk: long texts appear chunk by chunk so no single render blocks the page. */
const chunkWords = 1000;

function percent(weight: number): string {
  return `${(weight * 100).toFixed(2)}%`;
}

interface ChunkProps {
  label: string;
  text: string;
  words: WordSpan[];
  weights: number[];
  heaviest: number;
  evidence: ExampleSentence[];
  /** Index of the chunk's first word, and the text range it covers (its words and the gaps between them). */
  first: number;
  from: number;
  to: number;
}

const HeatChunk = memo(function HeatChunk({ label, text, words, weights, heaviest, evidence, first, from, to }: ChunkProps) {
  const nodes: React.ReactNode[] = [];
  let position = from;
  for (let index = first; index < words.length && (words[index]?.start ?? to) < to; index++) {
    const word = words[index] as WordSpan;
    if (word.start > position) nodes.push(text.slice(position, word.start));
    const weight = weights[index] ?? 0;
    const intensity = heaviest > 0 ? weight / heaviest : 0;
    const inEvidence = evidence.some((sentence) => word.start >= sentence.start && word.end <= sentence.end);
    nodes.push(
      <span
        key={word.start}
        className={inEvidence ? 'heat-word heat-evidence' : 'heat-word'}
        style={{ backgroundColor: `rgba(var(--heat-rgb), ${intensity.toFixed(3)})` }}
        title={`${text.slice(word.start, word.end)}: weight ${weight.toFixed(6)} (${percent(weight)} of "${label}")`}
        data-start={word.start}
        data-end={word.end}
        data-weight={weight}
      >
        {text.slice(word.start, word.end)}
      </span>,
    );
    position = word.end;
  }
  if (position < to) nodes.push(text.slice(position, to));
  return <>{nodes}</>;
});

/**
 * One label's attention over the words: one hue, opacity proportional to the weight relative to the label's
 * heaviest word. Text goes in as React text nodes only — never as HTML.
 */
export function Heatmap({ label, description, text, words, weights, evidence, note }: HeatmapProps) {
  const heaviest = useMemo(() => weights.reduce((max, weight) => Math.max(max, weight), 0), [weights]);
  const phrases = useMemo(() => topPhrases(text, words, weights), [text, words, weights]);
  const chunkCount = Math.max(1, Math.ceil(words.length / chunkWords));
  const [shownChunks, setShownChunks] = useState(1);

  // One more chunk per task, so input and paint get their turn between chunks.
  useEffect(() => {
    if (shownChunks >= chunkCount) return;
    const timer = setTimeout(() => setShownChunks((shown) => shown + 1), 0);
    return () => clearTimeout(timer);
  }, [shownChunks, chunkCount]);

  const chunks = [];
  for (let chunk = 0; chunk < Math.min(shownChunks, chunkCount); chunk++) {
    const first = chunk * chunkWords;
    const from = chunk === 0 ? 0 : (words[first]?.start ?? text.length);
    const to = chunk === chunkCount - 1 ? text.length : (words[first + chunkWords]?.start ?? text.length);
    chunks.push(
      <HeatChunk
        key={chunk}
        label={label}
        text={text}
        words={words}
        weights={weights}
        heaviest={heaviest}
        evidence={evidence}
        first={first}
        from={from}
        to={to}
      />,
    );
  }
  const complete = shownChunks >= chunkCount;

  return (
    <figure className="heatmap" data-testid="heatmap" data-label={label} data-complete={complete}>
      <figcaption className="heatmap-caption">
        <strong>{label}</strong>
        {description && <span className="heat-description">{description}</span>}
        <span className="heat-legend" title="Colour scale: weight of a word">
          <span>0</span>
          <span className="heat-legend-ramp" />
          <span>{heaviest.toFixed(4)}</span>
          <span className="heat-legend-note">word weight (weights sum to 1; hover a word for its exact weight)</span>
        </span>
        {evidence.length > 0 && <span className="heat-legend-note">underlined: gold evidence sentences</span>}
        {note && (
          <span className="heat-legend-note" data-testid="heatmap-note">
            {note}
          </span>
        )}
      </figcaption>
      <div className="heatmap-text">
        {chunks}
        {!complete && <span className="heat-rendering"> … rendering</span>}
      </div>
      <div className="heat-phrases">
        <h4>Most attended phrases</h4>
        <ol>
          {phrases.map((phrase) => (
            <li key={phrase.start}>
              <span className="heat-phrase">{text.slice(phrase.start, phrase.end)}</span>{' '}
              <span className="heat-phrase-weight">{percent(phrase.weight)}</span>
            </li>
          ))}
        </ol>
      </div>
    </figure>
  );
}
