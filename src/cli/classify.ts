/** `labelwise classify`: JSON Lines in (at least id and text), one prediction line out per input line. */

import { errorMessage } from '../core/errors';
import {
  MODEL_OPTIONS_USAGE,
  modelOptions,
  modelSettings,
  openClassifierFor,
  parseCommand,
  parseOptions,
  readJsonLines,
  recordText,
  USAGE_ERROR,
  UsageError,
  writeLine,
} from './shared';

export const summary = 'classify JSON Lines documents from stdin, predictions as JSON Lines on stdout';

const DEFAULT_MAX_CHARS = 1_000_000;
/** Documents of at least this many windows report their progress on stderr (at most once a second, and when done). */
const PROGRESS_MIN_WINDOWS = 16;

const HELP = `Usage: labelwise classify --model DIR [--attention] [--precision int8|fp16|fp32] [--threads N] [--max-chars N] < in.jsonl > out.jsonl

Reads one JSON object per line (at least "id" and "text") and writes, per line,
{"id", "labels": [predicted names], "scores": {name: probability}} and with --attention
"attention": {name: [[start, end, weight], ...]}: one entry per word of the text, spans in
UTF-16 code units (JavaScript string indices), weights summing to 1 per label.
Texts longer than the model's window are split into overlapping windows; nothing is truncated.
A multi-label document whose int8 scores come within model.json's "borderline" margin of a threshold is
scored again by the graph it names (fp16 weights), and that graph's scores are written; where that graph
cannot be read the int8 scores are written with "recheck": "unavailable" and a warning on stderr.
Errors go to stderr with the input line number; the other lines are still classified. A text longer than
--max-chars is reported and skipped (a line far too long for it is skipped as it is read, without parsing);
a line that is not valid UTF-8 (read with U+FFFD) or has an empty text is classified with a warning.
Documents of ${PROGRESS_MIN_WINDOWS} windows or more report their progress on stderr.
Exit status: 0 all lines classified, 1 some line failed, 2 usage or model folder error.

Options:
  --attention        add word-level attention per label
  --max-chars N      longest text to classify, in characters (default ${DEFAULT_MAX_CHARS.toLocaleString('en')})
${MODEL_OPTIONS_USAGE}`;

function parseMaxChars(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_CHARS;
  const chars = Number(value);
  if (!Number.isInteger(chars) || chars < 1) throw new UsageError(`--max-chars must be a positive integer (got "${value}")`);
  return chars;
}

/** Writes "line N: d/t windows" to stderr at most once a second, and when the document is done. */
function progressReporter(line: number): (progress: { done: number; total: number }) => void {
  let last = Date.now();
  return ({ done, total }) => {
    if (total < PROGRESS_MIN_WINDOWS) return;
    const now = Date.now();
    if (done < total && now - last < 1000) return;
    last = now;
    process.stderr.write(`labelwise classify: line ${line}: ${done}/${total} windows\n`);
  };
}

function recordId(record: Record<string, unknown>): string | number {
  const id = record.id;
  if ((typeof id === 'string' && id !== '') || typeof id === 'number') return id;
  throw new Error('field "id": expected a non-empty string or a number');
}

export async function run(args: string[]): Promise<number> {
  const options = parseCommand('classify', HELP, () => {
    const values = parseOptions(args, { ...modelOptions, attention: { type: 'boolean' }, 'max-chars': { type: 'string' } });
    return values.help
      ? undefined
      : { ...modelSettings(values), attention: values.attention ?? false, maxChars: parseMaxChars(values['max-chars']) };
  });
  if (typeof options === 'number') return options;
  const classifier = await openClassifierFor('classify', options);
  if (!classifier) return USAGE_ERROR;

  let failed = 0;
  try {
    // A JSON string spends at most 6 bytes (\uXXXX) on a character; the rest of the line is the other fields.
    const maxLineBytes = options.maxChars * 6 + 65_536;
    const warn = (line: number, text: string) => process.stderr.write(`labelwise classify: line ${line}: ${text}\n`);
    for await (const input of readJsonLines(process.stdin, { maxLineBytes })) {
      try {
        if ('error' in input) throw new Error(input.error);
        const id = recordId(input.record);
        const text = recordText(input.record);
        if (text.length > options.maxChars) {
          throw new Error(`text of ${text.length.toLocaleString('en')} characters is longer than --max-chars ${options.maxChars}; skipped`);
        }
        if (input.invalidUtf8) warn(input.line, 'not valid UTF-8: the bad bytes were read as U+FFFD');
        if (text.trim() === '') warn(input.line, 'empty text: classified as it is');
        const result = await classifier.classify(text, { attention: options.attention, onProgress: progressReporter(input.line) });
        const output = {
          id,
          labels: result.labels,
          scores: result.scores,
          ...(options.attention ? { attention: result.attention } : {}),
          ...(result.recheck === 'unavailable' ? { recheck: result.recheck } : {}),
        };
        if (result.recheck === 'unavailable') warn(input.line, `not rechecked (${result.recheckError})`);
        await writeLine(process.stdout, JSON.stringify(output));
      } catch (error) {
        failed++;
        warn(input.line, errorMessage(error));
      }
    }
  } finally {
    await classifier.dispose();
  }
  if (failed > 0) process.stderr.write(`labelwise classify: ${failed} line(s) failed\n`);
  return failed > 0 ? 1 : 0;
}
