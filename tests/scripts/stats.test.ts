import { describe, expect, it } from 'vitest';
import { median, quantile, summary } from '../../bench/stats.mjs';

describe('bench/stats.mjs', () => {
  it('takes the mean of the two middle values on an even count, the middle one on an odd count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([])).toBeNull();
    expect(summary([40, 10, 30, 20]).median_ms).toBe(25);
  });

  it('gives other quantiles by nearest rank, an observed value', () => {
    const sorted = Array.from({ length: 20 }, (_, index) => index + 1);
    expect(quantile(sorted, 0.95)).toBe(19);
    expect(quantile(sorted, 1)).toBe(20);
    expect(summary(sorted).p95_ms).toBe(19);
  });
});
