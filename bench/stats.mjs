/** Order statistics the browser and annotation benchmarks share. */

/** The q-quantile of ascending `sorted` (nearest rank), or null when it is empty. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

/** Count, median, p95, min and max of millisecond `values`, to 0.1 ms. */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    n: sorted.length,
    median_ms: round(quantile(sorted, 0.5)),
    p95_ms: round(quantile(sorted, 0.95)),
    min_ms: round(sorted[0] ?? null),
    max_ms: round(sorted.at(-1) ?? null),
  };
}
