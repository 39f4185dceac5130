import { describe, expect, it } from 'vitest';
import { labelsMatching } from './labelFinder';

describe('labelsMatching', () => {
  const labels = [
    'Sustaining proliferative signaling',
    'Evading growth suppressors',
    'Genomic instability and mutation',
    'Inducing angiogenesis',
  ];

  it('prefers names starting with the letters, then words starting with them, then any substring', () => {
    expect(labelsMatching(labels, 'ev')).toEqual(['Evading growth suppressors']);
    expect(labelsMatching(labels, 'angio')).toEqual(['Inducing angiogenesis']);
    expect(labelsMatching(labels, 'ation')).toEqual(['Genomic instability and mutation']);
    expect(labelsMatching(labels, '  ')).toEqual([]);
  });
});
