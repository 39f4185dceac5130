import { useEffect } from 'react';
import type { GroupAgreement, PairAgreement } from '../../io/agreement';
import { initAnnotation, useAnnotation } from '../../store/annotation';
import { compareExports, resolveConflicts, useReview } from '../../store/review';
import './review.css';

const percent = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '—');
const fixed = (value: number | null) => (value === null ? '—' : value.toFixed(3));

function PairTable({ labels }: { labels: Record<string, PairAgreement> }) {
  return (
    <table className="rv-table" data-testid="agreement-table">
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Agreement</th>
          <th scope="col">Cohen's κ (95% CI)</th>
          <th scope="col">Both</th>
          <th scope="col">Only first</th>
          <th scope="col">Only second</th>
          <th scope="col">Neither</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(labels).map(([label, entry]) => (
          <tr key={label} data-label={label}>
            <th scope="row">{label === '*' ? 'Whole decision (*)' : label}</th>
            <td>{percent(entry.agreement)}</td>
            <td data-testid="kappa">
              {fixed(entry.kappa)}
              {entry.kappa_ci && ` (${fixed(entry.kappa_ci[0])} to ${fixed(entry.kappa_ci[1])})`}
            </td>
            <td>{entry.both}</td>
            <td>{entry.only_a}</td>
            <td>{entry.only_b}</td>
            <td>{entry.neither}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function GroupTable({ labels }: { labels: Record<string, GroupAgreement> }) {
  return (
    <table className="rv-table" data-testid="agreement-table">
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Mean pairwise agreement</th>
          <th scope="col">Fleiss' κ</th>
          <th scope="col">Documents not unanimous</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(labels).map(([label, entry]) => (
          <tr key={label} data-label={label}>
            <th scope="row">{label === '*' ? 'Whole decision (*)' : label}</th>
            <td>{percent(entry.agreement)}</td>
            <td data-testid="kappa">{fixed(entry.fleiss_kappa)}</td>
            <td>{entry.disagreements}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The "Compare reviewers" tab: agreement between exports, and the conflicts to resolve in the Annotate tab. */
export function ReviewView() {
  const { reviewers, pair, group, conflicts, problems, busy, resolved } = useReview();
  const role = useAnnotation((state) => state.role);
  useEffect(() => {
    void initAnnotation();
  }, []);
  const canWrite = role === 'active' || role === 'unsupported';

  return (
    <section className="rv-view" data-testid="review-view" aria-labelledby="rv-title">
      <h2 id="rv-title">Compare reviewers</h2>
      <p className="rv-note">
        Each reviewer screens in their own browser and exports JSON Lines. Choose two or more exports of the same documents: documents are
        matched by id, and only those every reviewer reviewed (accepted or corrected) count.
      </p>
      <label className="rv-files">
        Reviewers' exports{' '}
        <input
          type="file"
          multiple
          accept=".jsonl,.ndjson"
          disabled={busy}
          data-testid="review-files"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            if (files.length > 0) void compareExports(files);
          }}
        />
      </label>
      {busy && <p role="status">Reading…</p>}
      {problems.length > 0 && (
        <details open className="rv-problems">
          <summary>Problems ({problems.length})</summary>
          <ul data-testid="review-problems">
            {problems.slice(0, 50).map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </details>
      )}
      {reviewers.length > 0 && (
        <p data-testid="review-summary">
          {reviewers.map((reviewer) => `${reviewer.name} (${reviewer.decisions.size} reviewed)`).join(' · ')}; documents every reviewer
          reviewed: <strong data-testid="review-documents">{(pair ?? group)?.documents ?? 0}</strong>; conflicts:{' '}
          <strong data-testid="review-conflicts">{conflicts.length}</strong>
        </p>
      )}
      {reviewers.length === 1 && <p>Choose at least two exports to compare.</p>}
      {pair && <PairTable labels={pair.labels} />}
      {group && <GroupTable labels={group.labels} />}
      {conflicts.length > 0 && (
        <>
          <h3>Conflicts</h3>
          <ol className="rv-conflicts" data-testid="conflict-queue">
            {conflicts.map((conflict) => (
              <li key={conflict.id}>
                <span className="rv-doc">
                  {conflict.id}
                  {conflict.title ? ` · ${conflict.title}` : ''}
                </span>
                <ul>
                  {conflict.decisions.map((decision) => (
                    <li key={decision.annotator}>
                      {decision.annotator}: {decision.labels.join('; ') || '(no labels)'}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
          <button type="button" disabled={busy || !canWrite} onClick={() => void resolveConflicts()} data-testid="resolve-conflicts">
            Resolve the conflicts in the Annotate tab
          </button>
          {resolved && (
            <p role="status" data-testid="resolve-status">
              {resolved.imported} conflict(s) added to the annotation session
              {resolved.duplicates > 0 ? `; ${resolved.duplicates} already there, left as they were` : ''}. Open the Annotate tab: each
              reviewer's decision shows beside the labels, and your name (the annotator field) is recorded as the resolver.
            </p>
          )}
        </>
      )}
    </section>
  );
}
