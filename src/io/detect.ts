/** Format detection: content first (the start of the file), then the file name's extension. */

export type Format = 'medline' | 'pubmed-xml' | 'ris' | 'jsonl' | 'csv' | 'tsv' | 'txt';
export type FormatOption = Format | 'auto';

export const FORMATS: readonly Format[] = ['medline', 'pubmed-xml', 'ris', 'jsonl', 'csv', 'tsv', 'txt'];

const BY_EXTENSION: Record<string, Format> = {
  nbib: 'medline',
  medline: 'medline',
  xml: 'pubmed-xml',
  ris: 'ris',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  txt: 'txt',
};

export function extensionOf(name: string | undefined): string {
  const match = name ? /\.([A-Za-z0-9]+)$/.exec(name) : null;
  return match ? (match[1] as string).toLowerCase() : '';
}

/**
 * Sniffs the format from the start of the text (a few KiB is enough). RIS is recognised by its
 * opening `TY  - ` line, MEDLINE by its first field line, XML by "<", JSON Lines by a first line that is a JSON object; CSV/TSV
 * only by extension or by a tab-separated header, since prose contains commas too.
 */
export function detectFormat(start: string, name?: string): Format {
  const text = start.replace(/^\uFEFF/, '').trimStart();
  const extension = BY_EXTENSION[extensionOf(name)];
  if (text.startsWith('<')) return 'pubmed-xml';
  const firstLine = text.slice(0, text.search(/\r|\n|$/));
  if (/^TY {2}- ?/.test(firstLine)) return 'ris';
  if (/^PMID- *\d/.test(firstLine) || /^[A-Z][A-Z0-9]{1,3} *- \S/.test(firstLine)) {
    if (extension === undefined || extension === 'txt' || extension === 'medline') return 'medline';
  }
  // A JSON array goes to the JSONL reader too, which explains what it expects instead.
  if (firstLine.startsWith('{') || firstLine.startsWith('[')) return 'jsonl';
  if (extension !== undefined && extension !== 'txt') return extension;
  const lines = text.split(/\r?\n/, 4).filter((line) => line.trim() !== '');
  const tabs = lines.map((line) => line.split('\t').length - 1);
  if (lines.length >= 2 && (tabs[0] ?? 0) > 0 && tabs.every((count) => count === tabs[0])) return 'tsv';
  return 'txt';
}
