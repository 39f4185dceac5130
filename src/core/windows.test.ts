import { describe, expect, it } from 'vitest';
import { planWindows } from './windows';

const spec = { length: 512, stride: 384 };

describe('planWindows', () => {
  it('keeps a text that fits in one window whole', () => {
    expect(planWindows(0, spec)).toEqual([{ start: 0, end: 0 }]);
    expect(planWindows(510, spec)).toEqual([{ start: 0, end: 510 }]);
  });

  it('starts a window every stride tokens and ends the last on the last token', () => {
    expect(planWindows(511, spec)).toEqual([
      { start: 0, end: 510 },
      { start: 1, end: 511 },
    ]);
    expect(planWindows(1200, spec)).toEqual([
      { start: 0, end: 510 },
      { start: 384, end: 894 },
      { start: 690, end: 1200 },
    ]);
  });

  it('covers every token with full-size windows at most stride apart', () => {
    for (const tokenCount of [511, 894, 895, 3001, 10_000]) {
      const windows = planWindows(tokenCount, spec);
      const covered = new Uint8Array(tokenCount);
      for (const [index, window] of windows.entries()) {
        expect(window.end - window.start).toBe(510);
        if (index > 0) expect(window.start - (windows[index - 1]?.start ?? 0)).toBeLessThanOrEqual(spec.stride);
        covered.fill(1, window.start, window.end);
      }
      expect(covered.every((flag) => flag === 1)).toBe(true);
      expect(windows.at(-1)?.end).toBe(tokenCount);
    }
  });
});
