/** `labelwise eval`: micro/macro-F1 (and accuracy for single_label models) of a model on a labelled JSONL file. */

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { scorePredictions } from '../core';
import { errorMessage } from '../core/errors';
import { type ClassifierInputSetting, classifierInput } from '../io/document';

import {
  MODEL_OPTIONS_USAGE,
  modelOptions,
  modelSettings,
  openClassifierFor,
  parseCommand,
  parseOptions,
  readJsonLines,
  recordText,
  requireOption,
  USAGE_ERROR,
  UsageError,
} from './shared';

export const summary = 'score a model on a labelled JSON Lines file (micro/macro-F1, accuracy) as JSON';

const HELP = `Usage: labelwise eval --model DIR --data FILE.jsonl [--input abstract|title+abstract] [--precision int8|fp16|fp32] [--threads N]

Classifies every line of FILE (dataset shape: "text" and "labels", the full gold set; "title" optional) and prints
{"model", "version", "data", "input", "with_title", "precision", "documents", "micro_f1", "macro_f1", ["accuracy",]
"per_label", "failed_lines"} as JSON on stdout. --input title+abstract puts a record's title before its text, as the
annotation view's setting does; "with_title" counts the records whose title the model read. F1 is defined as in train/evaluate.py (a label with neither gold nor predicted
documents has F1 1). Bad lines are reported on stderr with their number and left out of the scores.
Exit status: 0 all lines scored, 1 some line failed, 2 usage or model folder error.

Options:
  --data FILE        the labelled JSON Lines file
  --input I          abstract (default) or title+abstract
${MODEL_OPTIONS_USAGE}`;

function parseInputSetting(value: string | undefined): ClassifierInputSetting {
  const setting = value ?? 'abstract';
  if (setting !== 'abstract' && setting !== 'title+abstract') {
    throw new UsageError(`--input must be abstract or title+abstract (got "${setting}")`);
  }
  return setting;
}

function recordTitle(record: Record<string, unknown>): string | undefined {
  if (record.title === undefined || record.title === null) return undefined;
  if (typeof record.title !== 'string') throw new Error('field "title": expected a string');
  return record.title;
}

function goldLabels(record: Record<string, unknown>, known: Set<string>): string[] {
  const labels = record.labels;
  if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string')) {
    throw new Error('field "labels": expected an array of label names');
  }
  const unknown = labels.filter((label) => !known.has(label));
  if (unknown.length > 0) throw new Error(`field "labels": not labels of this model: ${unknown.map((l) => JSON.stringify(l)).join(', ')}`);
  return labels;
}

export async function run(args: string[]): Promise<number> {
  const options = parseCommand('eval', HELP, () => {
    const values = parseOptions(args, { ...modelOptions, data: { type: 'string' }, input: { type: 'string' } });
    if (values.help) return undefined;
    // Checked in the order they always were: --model, --data, --input, --precision, --threads.
    requireOption(values.model, 'model');
    const data = requireOption(values.data, 'data');
    const input = parseInputSetting(values.input);
    return { ...modelSettings(values), data, input };
  });
  if (typeof options === 'number') return options;

  try {
    await access(options.data);
  } catch (error) {
    process.stderr.write(`labelwise eval: --data ${options.data}: ${errorMessage(error)}\n`);
    return USAGE_ERROR;
  }
  const classifier = await openClassifierFor('eval', options);
  if (!classifier) return USAGE_ERROR;

  const { manifest } = classifier;
  const labelNames = manifest.labels.map((label) => label.name);
  const known = new Set(labelNames);
  const gold: string[][] = [];
  const predicted: string[][] = [];
  const failedLines: number[] = [];
  let withTitle = 0;
  try {
    for await (const input of readJsonLines(createReadStream(options.data))) {
      try {
        if ('error' in input) throw new Error(input.error);
        const labels = goldLabels(input.record, known);
        const title = recordTitle(input.record);
        const { text, abstractStart } = classifierInput({ id: String(input.line), title, text: recordText(input.record) }, options.input);
        const result = await classifier.classify(text, { attention: false });
        if (abstractStart > 0) withTitle++;
        gold.push(labels);
        predicted.push(result.labels);
      } catch (error) {
        failedLines.push(input.line);
        process.stderr.write(`labelwise eval: ${options.data}: line ${input.line}: ${errorMessage(error)}\n`);
      }
    }
  } catch (error) {
    process.stderr.write(`labelwise eval: --data ${options.data}: ${errorMessage(error)}\n`);
    return USAGE_ERROR;
  } finally {
    await classifier.dispose();
  }
  const report = {
    model: manifest.id,
    version: manifest.version,
    data: options.data,
    input: options.input,
    with_title: withTitle,
    precision: options.precision,
    ...scorePredictions(labelNames, gold, predicted, manifest.task),
    failed_lines: failedLines,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return failedLines.length > 0 ? 1 : 0;
}
