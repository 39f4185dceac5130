/** The label finder ("/" in the annotate view): labels beyond the nine number keys, by a few typed letters. */

/** Labels whose name starts with (or, failing that, contains) the typed letters, in display order. */
export function labelsMatching(labels: readonly string[], typed: string): string[] {
  const needle = typed.trim().toLowerCase();
  if (!needle) return [];
  const starts = labels.filter((label) => label.toLowerCase().startsWith(needle));
  if (starts.length > 0) return starts;
  const wordStarts = labels.filter((label) =>
    label
      .toLowerCase()
      .split(/\s+/)
      .some((word) => word.startsWith(needle)),
  );
  if (wordStarts.length > 0) return wordStarts;
  return labels.filter((label) => label.toLowerCase().includes(needle));
}
