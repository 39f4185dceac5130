/** The phrases a label attends to most: runs of adjacent heavily weighted words, ranked by summed weight. */

export interface WordSpan {
  start: number;
  end: number;
}

export interface Phrase {
  start: number;
  end: number;
  /** Sum of the words' weights: the phrase's share of the label's attention. */
  weight: number;
}

/** Words weighing at least this share of the heaviest word join a phrase. */
const relativeCutoff = 0.3;
const maxWords = 6;
/** Punctuation-only words never join a phrase: they carry attention but no meaning on their own. */
const punctuationOnly = /^\p{P}+$/u;

export function topPhrases(text: string, words: WordSpan[], weights: number[], count = 5): Phrase[] {
  let heaviest = 0;
  for (const weight of weights) heaviest = Math.max(heaviest, weight);
  if (heaviest === 0) return [];
  const cutoff = heaviest * relativeCutoff;

  const phrases: Phrase[] = [];
  let current: (Phrase & { words: number }) | undefined;
  const close = () => {
    if (current) phrases.push({ start: current.start, end: current.end, weight: current.weight });
    current = undefined;
  };
  words.forEach((word, index) => {
    const weight = weights[index] ?? 0;
    const punctuation = punctuationOnly.test(text.slice(word.start, word.end));
    if (weight < cutoff || punctuation) {
      close();
      return;
    }
    if (current && current.words < maxWords) {
      current.end = word.end;
      current.weight += weight;
      current.words += 1;
    } else {
      close();
      current = { start: word.start, end: word.end, weight, words: 1 };
    }
  });
  close();
  return phrases.sort((a, b) => b.weight - a.weight).slice(0, count);
}
