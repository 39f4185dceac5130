/**
 * Order statistics every benchmark shares. On an even count the median is the mean of the two middle values (the
 * usual definition: symmetric, so a ratio of medians does not lean on which middle run came first); the other
 * quantiles (p95, ...) are nearest-rank, an observed value.
 */

/** The q-quantile of ascending `sorted` (nearest rank), or null when it is empty. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

/** The median of `values` (any order): the middle value, or the mean of the two middle ones; null when empty. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Count, median, p95, min and max of millisecond `values`, to 0.1 ms. */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    n: sorted.length,
    median_ms: round(median(sorted)),
    p95_ms: round(quantile(sorted, 0.95)),
    min_ms: round(sorted[0] ?? null),
    max_ms: round(sorted.at(-1) ?? null),
  };
}
