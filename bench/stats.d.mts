export declare function quantile(sorted: readonly number[], q: number): number | null;
export declare function median(values: readonly number[]): number | null;
export declare function summary(values: readonly number[]): {
  n: number;
  median_ms: number | null;
  p95_ms: number | null;
  min_ms: number | null;
  max_ms: number | null;
};
