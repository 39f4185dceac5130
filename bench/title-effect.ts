/**
 * Does the title help? Dev F1 of a model with the abstract alone and with the title before it, the
 * annotation view's two classifier-input settings (issue 4). The datasets carry PMIDs but no titles, so
 * the titles come from PubMed: fetched through E-utilities (online), or read from a PubMed file of the
 * same PMIDs (XML or MEDLINE, e.g. saved from the efetch URL this script prints when it cannot fetch).
 *
 *   npm run bench:title -- [--pubmed FILE] [--model DIR] [--data FILE.jsonl] [--out FILE.json]
 *
 * Both settings run `labelwise eval --input ...` on the same records. Writes bench/results/title-effect.json.
 */

import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { errorMessage } from '../src/core/errors';
import { EFETCH_URL, fetchPubmed, type LabelwiseDocument, readDocuments } from '../src/io';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    pubmed: { type: 'string' },
    model: { type: 'string', default: path.join(root, 'public/models/hoc-minilm-lame') },
    data: { type: 'string', default: path.join(root, 'data/hoc/dev.jsonl') },
    out: { type: 'string', default: path.join(root, 'bench/results/title-effect.json') },
  },
});

/** A path as the results name it: relative to the repository. */
const shown = (file: string) => path.relative(root, path.resolve(file));

interface DatasetRecord {
  id: string;
  pmid?: string;
  text: string;
  labels: string[];
}

const records: DatasetRecord[] = readFileSync(values.data, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));
const pmids = [...new Set(records.flatMap((record) => (record.pmid ? [record.pmid] : [])))];
if (pmids.length === 0) throw new Error(`${values.data}: no record has a "pmid"; titles cannot be looked up`);

async function pubmedDocuments(): Promise<{ documents: LabelwiseDocument[]; source: string }> {
  const documents: LabelwiseDocument[] = [];
  if (values.pubmed !== undefined) {
    const file = values.pubmed;
    const source = { chunks: createReadStream(file), name: file, totalBytes: statSync(file).size };
    for await (const batch of readDocuments(source, { withoutAbstract: 'keep' })) documents.push(...batch.documents);
    return { documents, source: shown(file) };
  }
  const fetched = await fetchPubmed(pmids, { fetch: globalThis.fetch, withoutAbstract: 'keep' });
  if (fetched.documents.length === 0) {
    const reason = fetched.issues[0]?.message ?? 'no records came back';
    throw new Error(
      `could not fetch the titles from NCBI E-utilities (${reason}). Where PubMed is reachable, save\n` +
        `  ${EFETCH_URL}?db=pubmed&retmode=xml&id=${pmids.join(',')}\nand pass it with --pubmed FILE.`,
    );
  }
  for (const issue of fetched.issues) process.stderr.write(`E-utilities: ${issue.message}\n`);
  return { documents: fetched.documents, source: EFETCH_URL };
}

async function main(): Promise<void> {
  const { documents, source } = await pubmedDocuments();
  const titles = new Map(documents.flatMap((doc) => (doc.pmid && doc.title ? [[doc.pmid, doc.title] as const] : [])));
  if (!records.some((record) => record.pmid && titles.has(record.pmid))) {
    throw new Error(`${source}: none of the ${pmids.length} PMIDs of ${values.data} has a title there`);
  }

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'labelwise-title-'));
  try {
    const withTitles = path.join(scratch, 'with-titles.jsonl');
    writeFileSync(
      withTitles,
      records.map((record) => `${JSON.stringify({ ...record, title: (record.pmid && titles.get(record.pmid)) || undefined })}\n`).join(''),
    );
    const evaluate = (input: string) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [path.join(root, 'bin/labelwise.mjs'), 'eval', '--model', values.model, '--data', withTitles, '--input', input],
          { cwd: root, maxBuffer: 1 << 26 },
        ).toString(),
      );
    const abstract = evaluate('abstract');
    const titled = evaluate('title+abstract');
    const scores = (report: Record<string, unknown>) => ({
      micro_f1: report.micro_f1,
      macro_f1: report.macro_f1,
      ...(report.accuracy === undefined ? {} : { accuracy: report.accuracy }),
    });
    const result = {
      command: 'npm run bench:title',
      model: abstract.model,
      version: abstract.version,
      data: shown(values.data),
      titles_from: source,
      documents: abstract.documents,
      with_title: titled.with_title,
      abstract: scores(abstract),
      title_and_abstract: scores(titled),
      micro_f1_change: Number((titled.micro_f1 - abstract.micro_f1).toFixed(4)),
    };
    writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:title: ${errorMessage(error)}\n`);
  process.exitCode = 2;
}
