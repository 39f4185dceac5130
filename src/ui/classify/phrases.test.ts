import { describe, expect, it } from 'vitest';
import { topPhrases } from './phrases';

/** Words of `text` split on spaces, with their spans. */
function wordsOf(text: string) {
  return [...text.matchAll(/\S+/g)].map((match) => ({ start: match.index, end: match.index + match[0].length }));
}

describe('topPhrases', () => {
  const text = 'vascular endothelial growth factor drives new vessels , and cells die';
  const words = wordsOf(text);

  it('joins adjacent heavy words into one phrase and ranks phrases by summed weight', () => {
    const weights = [0.2, 0.2, 0.2, 0.1, 0, 0, 0, 0.01, 0, 0.02, 0.2];
    const phrases = topPhrases(text, words, weights);
    expect(phrases.map((phrase) => text.slice(phrase.start, phrase.end))).toEqual(['vascular endothelial growth factor', 'die']);
    expect(phrases[0]?.weight).toBeCloseTo(0.7);
  });

  it('never lets punctuation start, join or carry a phrase', () => {
    // The comma is as heavy as its neighbours but stays out of the phrase.
    const weights = [0, 0, 0, 0, 0, 0.3, 0.3, 0.3, 0, 0, 0.1];
    const phrases = topPhrases(text, words, weights);
    expect(phrases.map((phrase) => text.slice(phrase.start, phrase.end))).toEqual(['new vessels', 'die']);
  });

  it('returns nothing when every weight is zero, and at most `count` phrases', () => {
    expect(topPhrases(text, words, new Array(words.length).fill(0))).toEqual([]);
    const alternating = words.map((_, index) => (index % 2 === 0 ? 0.1 : 0));
    expect(topPhrases(text, words, alternating, 2)).toHaveLength(2);
  });
});
