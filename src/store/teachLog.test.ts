import { describe, expect, it } from 'vitest';
import { decisionsAfter, deltaOf, historyOf } from './teachLog';

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
