/** The document shape shared by import, the annotation store, export and training (docs/model-contract.md). */

/** Character span [start, end) of `text` with the labels an expert gave that sentence. */
export interface SentenceSpan {
  start: number;
  end: number;
  labels?: string[];
}

export interface LabelwiseDocument {
  id: string;
  pmid?: string;
  /** Kept apart from the abstract: what the classifier reads is a setting (see classifierInput). */
  title?: string;
  /** The abstract (or the whole text when a source has no title). */
  text: string;
  labels?: string[];
  sentences?: SentenceSpan[] | null;
  /** Fields this shape does not name (e.g. audit fields of an earlier export) travel along untouched. */
  [extra: string]: unknown;
}

/** What goes into the classifier: the abstract alone, or the title followed by the abstract. */
export type ClassifierInputSetting = 'abstract' | 'title+abstract';

/** Between title and abstract: one line break, so both tokenizers see a word boundary and offsets stay simple. */
export const TITLE_ABSTRACT_SEPARATOR = '\n';

export interface ClassifierInput {
  text: string;
  /** Where the abstract starts in `text`: subtract it to map offsets back onto `document.text`. */
  abstractStart: number;
}

/**
 * Builds the classifier input for a setting. A document without an abstract (title-only import)
 * falls back to its title under both settings so it is never classified as an empty string.
 */
export function classifierInput(document: LabelwiseDocument, setting: ClassifierInputSetting): ClassifierInput {
  const title = document.title?.trim() ?? '';
  if (document.text.length === 0) return { text: title, abstractStart: title.length };
  if (setting === 'abstract' || title.length === 0) return { text: document.text, abstractStart: 0 };
  const prefix = title + TITLE_ABSTRACT_SEPARATOR;
  return { text: prefix + document.text, abstractStart: prefix.length };
}
