import type { Task } from '../../core';
import type { LabelScore } from '../../worker/api';

interface LabelListProps {
  labels: LabelScore[];
  task: Task;
  /** Gold labels of the built-in example the text came from, if any. */
  gold: string[] | null;
  primary: string | null;
  compare: string | null;
  onShow(name: string): void;
  onCompare(name: string): void;
}

/** Every label of the model with its probability (the score) and, apart from it, the decision. */
export function LabelList({ labels, task, gold, primary, compare, onShow, onCompare }: LabelListProps) {
  return (
    <table className="label-list" data-testid="label-list">
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Probability</th>
          <th scope="col">{task === 'multi_label' ? 'Threshold' : 'Rule'}</th>
          <th scope="col">Decision</th>
          {gold && <th scope="col">Gold</th>}
          <th scope="col">Compare</th>
        </tr>
      </thead>
      <tbody>
        {labels.map((label) => (
          <tr
            key={label.name}
            className={label.predicted ? 'label-row label-predicted' : 'label-row'}
            aria-selected={label.name === primary}
            data-testid="label-row"
            data-label={label.name}
            data-probability={label.probability}
            data-predicted={label.predicted}
          >
            <th scope="row">
              <button type="button" className="label-name" title={label.description} onClick={() => onShow(label.name)}>
                {label.name}
              </button>
            </th>
            <td>
              <span className="prob">
                <span className="prob-bar">
                  <span className="prob-fill" style={{ width: `${label.probability * 100}%` }} />
                  {task === 'multi_label' && (
                    <span className="prob-threshold" style={{ left: `${label.threshold * 100}%` }} title={`threshold ${label.threshold}`} />
                  )}
                </span>
                <span className="prob-value">{label.probability.toFixed(3)}</span>
              </span>
            </td>
            <td className="label-threshold">{task === 'multi_label' ? `≥ ${label.threshold.toFixed(2)}` : 'highest'}</td>
            <td className="label-decision">{label.predicted ? '✓ predicted' : '—'}</td>
            {gold && <td className="label-gold">{gold.includes(label.name) ? 'gold' : ''}</td>}
            <td>
              <input
                type="checkbox"
                aria-label={`Compare ${label.name}`}
                checked={label.name === compare}
                disabled={label.name === primary}
                onChange={() => onCompare(label.name)}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
