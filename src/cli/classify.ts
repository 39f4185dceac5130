/** `labelwise classify`: JSON Lines in (at least id and text), one prediction line out per input line. */

import {
  message,
  openClassifier,
  parseOptions,
  parsePrecision,
  parseThreads,
  readJsonLines,
  recordText,
  requireOption,
  USAGE_ERROR,
  UsageError,
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
scored again by the graph it names (fp16 weights), and that graph's scores are written; where that graph
cannot be read the int8 scores are written with "recheck": "unavailable" and a warning on stderr.
Errors go to stderr with the input line number; the other lines are still classified.
Exit status: 0 all lines classified, 1 some line failed, 2 usage or model folder error.

Options:
  --model DIR        model folder (model.json, tokenizer.json, ONNX graph)
  --attention        add word-level attention per label
  --precision P      graph to run: int8 (default, fastest), fp16 (fp16 weights, fp32 arithmetic) or fp32
  --threads N        ONNX Runtime intra-op threads (default: all cores)
`;

function recordId(record: Record<string, unknown>): string | number {
  const id = record.id;
  if ((typeof id === 'string' && id !== '') || typeof id === 'number') return id;
  throw new Error('field "id": expected a non-empty string or a number');
}

export async function run(args: string[]): Promise<number> {
  let options: { model: string; attention: boolean; precision: ReturnType<typeof parsePrecision>; threads: number };
  try {
    const values = parseOptions(args, {
      model: { type: 'string' },
      attention: { type: 'boolean' },
      precision: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    options = {
      model: requireOption(values.model, 'model'),
      attention: values.attention ?? false,
      precision: parsePrecision(values.precision),
      threads: parseThreads(values.threads),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`labelwise classify: ${error.message}\n\n${HELP}`);
    return USAGE_ERROR;
  }

  let classifier: Awaited<ReturnType<typeof openClassifier>>;
  try {
    classifier = await openClassifier(options.model, options.precision, options.threads);
  } catch (error) {
    process.stderr.write(`labelwise classify: model folder ${options.model}: ${message(error)}\n`);
    return USAGE_ERROR;
  }

  let failed = 0;
  try {
    for await (const input of readJsonLines(process.stdin)) {
      try {
        if ('error' in input) throw new Error(input.error);
        const id = recordId(input.record);
        const result = await classifier.classify(recordText(input.record), { attention: options.attention });
        const output = {
          id,
          labels: result.labels,
          scores: result.scores,
          ...(options.attention ? { attention: result.attention } : {}),
          ...(result.recheck === 'unavailable' ? { recheck: result.recheck } : {}),
        };
        if (result.recheck === 'unavailable') {
          process.stderr.write(`labelwise classify: line ${input.line}: not rechecked (${result.recheckError})\n`);
        }
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
