/**
 * `labelwise import FILE`: any supported file to JSON Lines on stdout (id, pmid, title, text, and
 * labels/sentences where the input has them), per-record problems and a summary on stderr.
 * Exit code: 0 all good, 1 some records failed (the good ones are still written), 2 unusable input.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { errorMessage } from '../core/errors';
import {
  type ColumnMapping,
  describeIssue,
  FORMATS,
  type FormatOption,
  ImportFileError,
  type LabelwiseDocument,
  readDocuments,
} from '../io';
import { parseCommand, USAGE_ERROR, UsageError } from './shared';

export const summary = 'read PubMed (MEDLINE, XML), RIS, JSONL, CSV/TSV or text files into JSON Lines documents';

const USAGE = `Usage: labelwise import FILE|- [options] > docs.jsonl

Options:
  --format F              auto (default) | ${FORMATS.join(' | ')}
  --text-column C         CSV/TSV column with the text (guessed from the header otherwise)
  --id-column C           CSV/TSV column with the id
  --title-column C        CSV/TSV column with the title
  --pmid-column C         CSV/TSV column with the PMID
  --labels-column C       CSV/TSV column with the labels
  --label-separator S     between labels in that column (default ";")
  --delimiter D           CSV field delimiter (detected otherwise; "tab" for a tab)
  --keep-without-abstract import PubMed articles that have no abstract (title only, text "")
  --keep-duplicates       do not drop records whose PMID or id was seen earlier
`;

export interface ImportStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

function parse(argv: string[]) {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'missing FILE (use - for stdin)' : `one FILE expected, got ${positionals.length}`);
  const format = (values.format ?? 'auto') as FormatOption;
  if (format !== 'auto' && !FORMATS.includes(format))
    throw new UsageError(`--format must be auto or one of ${FORMATS.join(', ')} (got "${format}")`);
  const columns: Partial<ColumnMapping> = {};
  if (values['text-column']) columns.text = values['text-column'];
  if (values['id-column']) columns.id = values['id-column'];
  if (values['title-column']) columns.title = values['title-column'];
  if (values['pmid-column']) columns.pmid = values['pmid-column'];
  if (values['labels-column']) columns.labels = values['labels-column'];
  if (values['label-separator']) columns.labelSeparator = values['label-separator'];
  const delimiter = values.delimiter === 'tab' ? '\t' : values.delimiter;
  if (delimiter !== undefined && delimiter.length !== 1) throw new UsageError('--delimiter must be one character (or "tab")');
  return {
    file: positionals[0] as string,
    options: {
      format,
      csv: { columns, ...(delimiter ? { delimiter } : {}) },
      withoutAbstract: values['keep-without-abstract'] ? ('keep' as const) : ('skip' as const),
      dedupe: !values['keep-duplicates'],
    },
  };
}

const OPTIONS = {
  format: { type: 'string' },
  'text-column': { type: 'string' },
  'id-column': { type: 'string' },
  'title-column': { type: 'string' },
  'pmid-column': { type: 'string' },
  'labels-column': { type: 'string' },
  'label-separator': { type: 'string' },
  delimiter: { type: 'string' },
  'keep-without-abstract': { type: 'boolean' },
  'keep-duplicates': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The dataset shape in a stable key order, plus a RIS record's DOI, keywords and verbatim fields; other fields are not carried. */
function outputLine(document: LabelwiseDocument): string {
  const { id, pmid, doi, title, text, labels, sentences, keywords, ris } = document;
  return `${JSON.stringify({ id, pmid, doi, title, text, labels, sentences, keywords, ris })}\n`;
}

/** Writes with backpressure; rejects once the stream has failed (e.g. EPIPE when piped into `head`). */
function writer(stream: Writable): (text: string) => Promise<void> {
  let failure: Error | undefined;
  stream.on('error', (error: Error) => {
    failure = error;
  });
  return async (text) => {
    if (failure) throw failure;
    if (stream.write(text)) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        stream.off('drain', onDrain);
        reject(error);
      };
      const onDrain = () => {
        stream.off('error', onError);
        resolve();
      };
      stream.once('drain', onDrain);
      stream.once('error', onError);
    });
  };
}

export async function runImport(argv: string[], { stdin, stdout, stderr }: ImportStreams): Promise<number> {
  const args = parseCommand('import', USAGE, () => parse(argv), { stdout, stderr });
  if (typeof args === 'number') return args;
  const { file, options } = args;
  const name = file === '-' ? 'stdin' : file;
  let totalBytes: number | undefined;
  if (file !== '-') {
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a regular file');
      totalBytes = info.size;
    } catch (error) {
      stderr.write(`labelwise import: cannot read ${file}: ${errorMessage(error)}\n`);
      return USAGE_ERROR;
    }
  }
  const chunks = file === '-' ? stdin : createReadStream(file, { highWaterMark: 1 << 16 });
  let counts = { imported: 0, failed: 0, skipped: 0, duplicates: 0 };
  let format = '';
  const write = writer(stdout);
  try {
    for await (const batch of readDocuments({ chunks, name: file === '-' ? undefined : file, totalBytes }, options)) {
      for (const issue of batch.issues) stderr.write(`${describeIssue(issue, name)}\n`);
      const lines = batch.documents.map(outputLine).join('');
      if (lines) await write(lines);
      counts = batch.counts;
      format = batch.format;
    }
  } catch (error) {
    // Whoever reads the output stopped reading (`| head`): stop quietly, as Unix tools do.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return counts.failed > 0 ? 1 : 0;
    if (!(error instanceof ImportFileError)) throw error;
    stderr.write(`labelwise import: ${name}: ${error.message}\n`);
    return USAGE_ERROR;
  }
  stderr.write(
    `labelwise import: ${name} (${format}): ${counts.imported} imported, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.duplicates} duplicates\n`,
  );
  return counts.failed > 0 ? 1 : 0;
}

/** Entry point for the `labelwise` dispatcher (src/cli/main.ts). */
export function run(args: string[]): Promise<number> {
  return runImport(args, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}
