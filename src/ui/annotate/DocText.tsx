/**
 * Untrusted document text rendered as React text nodes only (never as HTML), with an optional attention
 * heatmap over its words and outlines around expert evidence sentences.
 */

export interface WeightedSpan {
  start: number;
  end: number;
  weight: number;
}

export interface Span {
  start: number;
  end: number;
}

interface Segment {
  start: number;
  end: number;
  evidence: boolean;
}

/** Cuts [0, length) into runs inside and outside evidence spans. */
function segmentsOf(length: number, evidence: readonly Span[]): Segment[] {
  const sorted = evidence
    .map((span) => ({ start: Math.max(0, span.start), end: Math.min(length, span.end) }))
    .filter((span) => span.end > span.start)
    .sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  let at = 0;
  for (const span of sorted) {
    if (span.end <= at) continue;
    const start = Math.max(at, span.start);
    if (start > at) segments.push({ start: at, end: start, evidence: false });
    segments.push({ start, end: span.end, evidence: true });
    at = span.end;
  }
  if (at < length) segments.push({ start: at, end: length, evidence: false });
  return segments;
}

function HeatRun({
  text,
  start,
  end,
  words,
  max,
}: {
  text: string;
  start: number;
  end: number;
  words: readonly WeightedSpan[];
  max: number;
}) {
  const parts: React.ReactNode[] = [];
  let at = start;
  for (const word of words) {
    if (word.end <= start || word.start >= end) continue;
    const wordStart = Math.max(word.start, at);
    const wordEnd = Math.min(word.end, end);
    if (wordEnd <= wordStart) continue;
    if (wordStart > at) parts.push(text.slice(at, wordStart));
    const strength = max > 0 ? word.weight / max : 0;
    parts.push(
      <span key={wordStart} className="aw-heat" style={{ backgroundColor: `rgba(234, 88, 12, ${(strength * 0.75).toFixed(3)})` }}>
        {text.slice(wordStart, wordEnd)}
      </span>,
    );
    at = wordEnd;
  }
  if (at < end) parts.push(text.slice(at, end));
  return <>{parts}</>;
}

export function DocText({
  text,
  words = [],
  evidence = [],
}: {
  text: string;
  words?: readonly WeightedSpan[];
  evidence?: readonly Span[];
}) {
  const sortedWords = [...words].sort((a, b) => a.start - b.start);
  const max = sortedWords.reduce((best, word) => Math.max(best, word.weight), 0);
  return (
    <>
      {segmentsOf(text.length, evidence).map((segment) =>
        segment.evidence ? (
          <mark key={segment.start} className="aw-evidence" title="Expert evidence for this label">
            <HeatRun text={text} start={segment.start} end={segment.end} words={sortedWords} max={max} />
          </mark>
        ) : (
          <span key={segment.start}>
            <HeatRun text={text} start={segment.start} end={segment.end} words={sortedWords} max={max} />
          </span>
        ),
      )}
    </>
  );
}
