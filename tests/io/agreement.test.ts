import { describe, expect, it } from 'vitest';
import { cohenKappa, conflicts, fleissKappa, groupAgreement, pairAgreement } from '../../src/io/agreement';

/** Two reviewers' decisions from a 2×2 table for one label "L". */
function fromTable(both: number, onlyA: number, onlyB: number, neither: number) {
  const a = new Map<string, string[]>();
  const b = new Map<string, string[]>();
  const cells: [number, string[], string[]][] = [
    [both, ['L'], ['L']],
    [onlyA, ['L'], []],
    [onlyB, [], ['L']],
    [neither, [], []],
  ];
  for (const [count, first, second] of cells) {
    for (let i = 0; i < count; i++) {
      const id = `d${a.size}`;
      a.set(id, first);
      b.set(id, second);
    }
  }
  return [a, b] as const;
}

describe("Cohen's kappa", () => {
  it('matches a table worked by hand, CI from the Fleiss–Cohen–Everitt standard error', () => {
    // n = 50, p_o = 35/50 = 0.7; marginals A 0.5/0.5, B 0.6/0.4, p_e = 0.5; kappa = 0.2/0.5 = 0.4.
    // Var = [0.4(1 − 1.1·0.6)² + 0.3(1 − 0.9·0.6)² + 0.6²(0.1·1.1² + 0.2·0.9²) − (0.4 − 0.5·0.6)²] / (50·0.5²)
    //     = (0.04624 + 0.06348 + 0.10188 − 0.01) / 12.5 = 0.016128; SE = 0.126996.
    const report = pairAgreement(...fromTable(20, 5, 10, 15));
    const entry = report.labels.L;
    expect(report.documents).toBe(50);
    expect(entry).toMatchObject({ both: 20, only_a: 5, only_b: 10, neither: 15 });
    expect(entry?.agreement).toBeCloseTo(0.7, 12);
    expect(entry?.kappa).toBeCloseTo(0.4, 12);
    const se = Math.sqrt(0.016128);
    expect(entry?.kappa_ci?.[0]).toBeCloseTo(0.4 - 1.959964 * se, 5);
    expect(entry?.kappa_ci?.[1]).toBeCloseTo(0.4 + 1.959964 * se, 5);
    // A single label per document: the whole decision ("*", label or none) is the same 2×2 here.
    expect(report.labels['*']?.kappa).toBeCloseTo(0.4, 12);
  });

  it('is 1 for perfect agreement and null when chance agreement is 1', () => {
    expect(
      cohenKappa([
        ['x', 'x'],
        ['y', 'y'],
      ]).kappa,
    ).toBe(1);
    expect(
      cohenKappa([
        ['x', 'x'],
        ['x', 'x'],
      ]),
    ).toEqual({ agreement: 1, kappa: null, kappa_ci: null });
    // A label nobody gave is reported only when asked for.
    const [a, b] = fromTable(0, 0, 0, 4);
    expect(pairAgreement(a, b).labels.L).toBeUndefined();
    expect(pairAgreement(a, b, ['L']).labels.L?.kappa).toBeNull();
  });

  it('counts only documents both reviewers decided, and lists the conflicts', () => {
    const a = new Map([
      ['1', ['L']],
      ['2', []],
      ['3', ['L']],
    ]);
    const b = new Map([
      ['2', ['L']],
      ['3', ['L']],
      ['4', []],
    ]);
    expect(pairAgreement(a, b).documents).toBe(2);
    expect(conflicts([a, b])).toEqual(['2']);
  });
});

describe("Fleiss' kappa", () => {
  it('matches the worked example of Fleiss (1971) as tabulated on Wikipedia: 10 subjects, 14 raters, kappa 0.210', () => {
    const counts = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const ratings = counts.map((row) => row.flatMap((count, category) => Array<string>(count).fill(String(category))));
    const result = fleissKappa(ratings);
    expect(result.agreement).toBeCloseTo(0.378, 3);
    expect(result.fleiss_kappa).toBeCloseTo(0.21, 3);
    expect(result.disagreements).toBe(9);
  });

  it('per label over three reviewers', () => {
    const reviewers = [
      new Map([
        ['1', ['L']],
        ['2', []],
        ['3', ['L']],
        ['4', []],
      ]),
      new Map([
        ['1', ['L']],
        ['2', []],
        ['3', []],
        ['4', []],
      ]),
      new Map([
        ['1', ['L']],
        ['2', ['L']],
        ['3', ['L']],
        ['4', []],
      ]),
    ];
    const report = groupAgreement(reviewers);
    // P̄ = (1 + 1/3 + 1/3 + 1)/4 = 2/3; p(L) = 6/12, P_e = 0.5; kappa = (2/3 − 1/2)/(1/2) = 1/3.
    expect(report.labels.L?.agreement).toBeCloseTo(2 / 3, 12);
    expect(report.labels.L?.fleiss_kappa).toBeCloseTo(1 / 3, 12);
    expect(report.labels.L?.disagreements).toBe(2);
  });
});
