import type { ReviewRecord } from '../../io/export';

/** Beside a label while resolving a conflict: which reviewers gave it (✓) and which did not (✗). */
export function ReviewerMarks({ review, label }: { review: ReviewRecord | undefined; label: string }) {
  if (!review) return null;
  return (
    <span className="rv-marks" data-testid="reviewer-marks">
      {review.decisions.map((decision) => {
        const gave = decision.labels.includes(label);
        return (
          <span
            key={decision.annotator}
            className={gave ? 'rv-gave' : 'rv-not'}
            title={`${decision.annotator} ${gave ? 'gave' : 'did not give'} this label`}
          >
            {decision.annotator} {gave ? '✓' : '✗'}
          </span>
        );
      })}
    </span>
  );
}
