/** `labelwise classify`: JSON Lines in (at least id and text), one prediction line out per input line. */

import {
  MODEL_OPTIONS_USAGE,
  message,
  modelOptions,
  modelSettings,
  openClassifierFor,
  parseCommand,
  parseOptions,
  readJsonLines,
  recordText,
  USAGE_ERROR,
  writeLine,
} from './shared';

export const summary = 'classify JSON Lines documents from stdin, predictions as JSON Lines on stdout';

const HELP = `Usage: labelwise classify --model DIR [--attention] [--precision int8|fp16|fp32] [--threads N] < in.jsonl > out.jsonl

Reads one JSON object per line (at least "id" and "text") and writes, per line,
{"id", "labels": [predicted names], "scores": {name: probability}} and with --attention
"attention": {name: [[start, end, weight], ...]}: one entry per word of the text, spans in
UTF-16 code units (JavaScript string indices), weights summing to 1 per label.
Texts longer than the model's window are split into overlapping windows; nothing is truncated.
A multi-label document whose int8 scores come within model.json's "borderline" margin of a threshold is
scored again by the graph it names (fp16 weights), and that graph's scores are written.
Errors go to stderr with the input line number; the other lines are still classified.
Exit status: 0 all lines classified, 1 some line failed, 2 usage or model folder error.

Options:
  --attention        add word-level attention per label
${MODEL_OPTIONS_USAGE}`;

function recordId(record: Record<string, unknown>): string | number {
  const id = record.id;
  if ((typeof id === 'string' && id !== '') || typeof id === 'number') return id;
  throw new Error('field "id": expected a non-empty string or a number');
}

export async function run(args: string[]): Promise<number> {
  const options = parseCommand('classify', HELP, () => {
    const values = parseOptions(args, { ...modelOptions, attention: { type: 'boolean' } });
    return values.help ? undefined : { ...modelSettings(values), attention: values.attention ?? false };
  });
  if (typeof options === 'number') return options;
  const classifier = await openClassifierFor('classify', options);
  if (!classifier) return USAGE_ERROR;

  let failed = 0;
  try {
    for await (const input of readJsonLines(process.stdin)) {
      try {
        if ('error' in input) throw new Error(input.error);
        const id = recordId(input.record);
        const result = await classifier.classify(recordText(input.record), { attention: options.attention });
        const output = options.attention
          ? { id, labels: result.labels, scores: result.scores, attention: result.attention }
          : { id, labels: result.labels, scores: result.scores };
        await writeLine(process.stdout, JSON.stringify(output));
      } catch (error) {
        failed++;
        process.stderr.write(`labelwise classify: line ${input.line}: ${message(error)}\n`);
      }
    }
  } finally {
    await classifier.dispose();
  }
  if (failed > 0) process.stderr.write(`labelwise classify: ${failed} line(s) failed\n`);
  return failed > 0 ? 1 : 0;
}
