import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import { ANNOTATION_STATUSES, type AnnotationStatus } from '../../io/export';
import { select, setFilter, setSort, useAnnotation } from '../../store/annotation';
import type { QueueSort } from '../../store/annotationQueue';

const ROW_HEIGHT = 52;

/** Memoised: a keypress re-renders only the rows whose document or current-ness changed. */
const QueueRow = memo(function QueueRow({ docKey, index, top }: { docKey: string; index: number; top: number }) {
  const doc = useAnnotation((state) => state.docs.get(docKey));
  const current = useAnnotation((state) => state.currentKey === docKey);
  if (!doc) return null;
  return (
    <button
      type="button"
      tabIndex={-1}
      aria-current={current}
      data-key={docKey}
      data-index={index}
      className={`aw-row${current ? ' aw-row-current' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => select(docKey)}
    >
      <span className={`aw-status aw-status-${doc.status}`}>{doc.status}</span>
      <span className="aw-row-title">{doc.title || doc.text.slice(0, 120)}</span>
      <span className="aw-row-meta">
        {doc.id}
        {doc.decision.length > 0 ? ` · ${doc.decision.join(', ')}` : ''}
      </span>
    </button>
  );
});

function SortPicker() {
  const sort = useAnnotation((state) => state.sort);
  const labels = useAnnotation((state) => state.settings.labels);
  const value = sort.by === 'score' ? `score:${sort.label}` : sort.by;
  return (
    <label>
      Sort{' '}
      <select
        value={value}
        onChange={(event) => {
          const chosen = event.target.value;
          const next: QueueSort = chosen.startsWith('score:')
            ? { by: 'score', label: chosen.slice('score:'.length) }
            : { by: chosen === 'id' ? 'id' : 'uncertainty' };
          setSort(next);
        }}
      >
        <option value="uncertainty">Most uncertain first</option>
        <option value="id">By id</option>
        {labels.map((label) => (
          <option key={label} value={`score:${label}`}>
            Score of {label}
          </option>
        ))}
      </select>
    </label>
  );
}

function FilterPicker() {
  const filter = useAnnotation((state) => state.filter);
  const labels = useAnnotation((state) => state.settings.labels);
  const status = filter.statuses.size === 1 ? [...filter.statuses][0] : filter.statuses.size === 0 ? 'all' : 'open';
  return (
    <>
      <label>
        Status{' '}
        <select
          value={status}
          onChange={(event) => {
            const chosen = event.target.value;
            const statuses: Set<AnnotationStatus> =
              chosen === 'all' ? new Set() : chosen === 'open' ? new Set(['new', 'predicted']) : new Set([chosen as AnnotationStatus]);
            setFilter({ ...filter, statuses });
          }}
        >
          <option value="all">All</option>
          <option value="open">To review (new + predicted)</option>
          {ANNOTATION_STATUSES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Label{' '}
        <select value={filter.label ?? ''} onChange={(event) => setFilter({ ...filter, label: event.target.value || null })}>
          <option value="">Any</option>
          {labels.map((label) => (
            <option key={label} value={label}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

/** The queue as shown (filtered and sorted), virtualised: only the visible rows exist in the DOM. */
export const Queue = memo(function Queue() {
  const order = useAnnotation((state) => state.order);
  const currentKey = useAnnotation((state) => state.currentKey);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: order.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  useEffect(() => {
    if (currentKey === null) return;
    const index = order.indexOf(currentKey);
    if (index < 0) return;
    // Scroll only when the row is out of view, and then bring it to the top: scrollToIndex reads the scroller's
    // scrollHeight, which forces a layout of the page, and walking down row by row would pay it on every keypress.
    // Rows have a fixed height, so where the row is follows from its index.
    const rowTop = index * ROW_HEIGHT;
    const top = virtualizer.scrollOffset ?? 0;
    if (rowTop >= top && rowTop + ROW_HEIGHT <= top + (virtualizer.scrollRect?.height ?? 0)) return;
    virtualizer.scrollToIndex(index, { align: rowTop < top ? 'end' : 'start' });
  }, [currentKey, order, virtualizer]);

  return (
    <section className="aw-queue" aria-label="Queue">
      <div className="aw-queue-controls">
        <SortPicker />
        <FilterPicker />
        <span className="aw-muted" data-testid="queue-count">
          {order.length} shown
        </span>
      </div>
      <div ref={scroller} className="aw-queue-scroll" data-testid="queue-list">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const key = order[item.index];
            return key === undefined ? null : <QueueRow key={key} docKey={key} index={item.index} top={item.start} />;
          })}
        </div>
      </div>
    </section>
  );
});
