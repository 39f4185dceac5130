import { describe, expect, it } from 'vitest';
import { currentDecisions, decisionsAfter, deltaOf, historyOf } from './teachLog';

describe('the training log', () => {
  it('records new, changed and taken-back decisions, and nothing for unchanged ones', () => {
    const before = new Map([
      ['a', ['x']],
      ['b', []],
      ['c', ['y']],
    ]);
    const after = new Map([
      ['a', ['x']],
      ['b', ['x']],
      ['d', []],
    ]);
    expect(deltaOf(before, after)).toEqual([
      ['b', ['x']],
      ['d', []],
      ['c', null],
    ]);
    expect(deltaOf(after, after)).toEqual([]);
  });

  it('replays to the decisions and the count each version was trained on', () => {
    const log = [
      [['a', ['x']] as [string, string[]]],
      [
        ['b', []],
        ['c', ['y']],
      ] as Array<[string, string[]]>,
      [['a', null]] as Array<[string, null]>,
    ];
    expect(historyOf(log)).toEqual([0, 1, 3, 2]);
    expect([...decisionsAfter(log)]).toEqual([
      ['b', []],
      ['c', ['y']],
    ]);
  });
});

describe('currentDecisions', () => {
  it('takes accepted and corrected documents reviewed since the scheme, with its labels only', () => {
    const scheme = { createdAt: 100, labels: [{ name: 'x' }, { name: 'y' }] };
    const docs = [
      { key: 'a', status: 'accepted' as const, reviewedAt: 150, decision: ['x', 'other'] },
      { key: 'b', status: 'corrected' as const, reviewedAt: 120, decision: [] },
      { key: 'c', status: 'skipped' as const, reviewedAt: 130, decision: ['x'] },
      { key: 'd', status: 'accepted' as const, reviewedAt: 50, decision: ['y'] },
      { key: 'e', status: 'predicted' as const, decision: ['y'] },
    ];
    expect([...currentDecisions(docs, scheme)]).toEqual([
      ['a', ['x']],
      ['b', []],
    ]);
  });
});
