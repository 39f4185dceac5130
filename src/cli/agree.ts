/**
 * `labelwise agree --a FILE --b FILE [--label NAME]`: agreement between two reviewers' Labelwise
 * JSONL exports, as JSON on stdout (src/io/agreement.ts has the statistics). Documents are matched
 * by `id`; only reviewed ones (status accepted or corrected) count. Bad lines go to stderr with
 * their file and line, and the rest is counted. Exit code: 0, 1 if lines were bad, 2 for usage.
 */

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { errorMessage } from '../core/errors';
import { type PairAgreement, pairAgreement, type ReviewerDecisions } from '../io/agreement';
import { parseOptions, readJsonLines, requireOption, USAGE_ERROR, UsageError } from './shared';

export const summary = "agreement of two reviewers' JSONL exports (percent, Cohen's kappa with 95% CI) as JSON";

const USAGE = `Usage: labelwise agree --a FILE --b FILE [--label NAME] > agreement.json

Options:
  --a FILE       the first reviewer's Labelwise JSONL export
  --b FILE       the second reviewer's
  --label NAME   report this label only (default: every label either reviewer gave, and "*" over
                 the whole decision when no decision has more than one label)
`;

const OPTIONS = {
  a: { type: 'string' },
  b: { type: 'string' },
  label: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const REVIEWED = new Set(['accepted', 'corrected']);

/** The reviewed decisions of one export, by id; bad lines are written to stderr and counted. */
async function readDecisions(file: string, stderr: NodeJS.WritableStream): Promise<{ decisions: Map<string, string[]>; bad: number }> {
  const decisions = new Map<string, string[]>();
  let bad = 0;
  const report = (line: number, problem: string) => {
    bad++;
    stderr.write(`${file}:${line}: ${problem}\n`);
  };
  for await (const entry of readJsonLines(createReadStream(file))) {
    if ('error' in entry) {
      report(entry.line, entry.error);
      continue;
    }
    const { id, labels, status } = entry.record;
    if (typeof id !== 'string' && typeof id !== 'number') report(entry.line, 'field "id": expected a string');
    else if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string'))
      report(entry.line, 'field "labels": expected a list of strings');
    else if (decisions.has(String(id))) report(entry.line, `id "${id}" appears twice`);
    else if (typeof status === 'string' && REVIEWED.has(status)) decisions.set(String(id), labels);
  }
  return { decisions, bad };
}

export async function runAgree(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  let files: [string, string];
  let label: string | undefined;
  try {
    const values = parseOptions(argv, OPTIONS);
    if (values.help) {
      stdout.write(USAGE);
      return 0;
    }
    files = [requireOption(values.a, 'a'), requireOption(values.b, 'b')];
    label = values.label;
    for (const file of files) await access(file).catch(() => Promise.reject(new UsageError(`cannot read ${file}`)));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`labelwise agree: ${error.message}\n\n${USAGE}`);
    return USAGE_ERROR;
  }
  let inputs: { decisions: ReviewerDecisions; bad: number }[];
  try {
    inputs = [await readDecisions(files[0], stderr), await readDecisions(files[1], stderr)];
  } catch (error) {
    stderr.write(`labelwise agree: ${errorMessage(error)}\n`);
    return USAGE_ERROR;
  }
  const [a, b] = inputs as [{ decisions: ReviewerDecisions; bad: number }, { decisions: ReviewerDecisions; bad: number }];
  const report = label === undefined ? pairAgreement(a.decisions, b.decisions) : pairAgreement(a.decisions, b.decisions, [label], false);
  const rounded = (entry: PairAgreement) => ({
    ...entry,
    agreement: round(entry.agreement),
    kappa: entry.kappa === null ? null : round(entry.kappa),
    kappa_ci: entry.kappa_ci === null ? null : entry.kappa_ci.map(round),
  });
  const labels = Object.fromEntries(Object.entries(report.labels).map(([name, entry]) => [name, rounded(entry)]));
  stdout.write(`${JSON.stringify({ documents: report.documents, labels }, null, 2)}\n`);
  if (report.documents === 0) stderr.write('labelwise agree: no document was reviewed in both files (matched by id)\n');
  return a.bad + b.bad > 0 ? 1 : 0;
}

/** Six decimals: enough for a methods section, and stable across platforms' last bits. */
function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toFixed(6)) : value;
}

export function run(args: string[]): Promise<number> {
  return runAgree(args, process.stdout, process.stderr);
}
