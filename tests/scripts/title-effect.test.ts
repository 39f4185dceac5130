import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, testModelFolder } from '../../src/cli/testing';
import { classifierInput, type LabelwiseDocument, readDocuments } from '../../src/io';

const scratch = mkdtempSync(path.join(tmpdir(), 'title-effect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const medline = path.join(REPO_ROOT, 'tests/fixtures/pubmed/pubmed_result2.txt');
const abstract = 'Tumour cells proliferate without growth signals.';

/** The CLI's predicted labels for each text (`labelwise classify`), in order. */
function classify(model: string, texts: string[]): string[][] {
  const input = texts.map((text, index) => JSON.stringify({ id: String(index), text })).join('\n');
  const output = execFileSync(process.execPath, ['bin/labelwise.mjs', 'classify', '--model', model], { cwd: REPO_ROOT, input });
  return output
    .toString()
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { labels: string[] }).labels);
}

/** Micro-F1 of predicted against gold label sets, counted here rather than by the CLI. */
function microF1(gold: string[][], predicted: string[][]): number {
  let tp = 0;
  let errors = 0;
  gold.forEach((labels, index) => {
    const guessed = predicted[index] ?? [];
    tp += guessed.filter((label) => labels.includes(label)).length;
    errors += guessed.filter((label) => !labels.includes(label)).length + labels.filter((label) => !guessed.includes(label)).length;
  });
  return tp + errors > 0 ? (2 * tp) / (2 * tp + errors) : 0;
}

describe('bench/title-effect.ts', () => {
  it('takes the titles from a PubMed file by PMID and reports the F1 of both classifier inputs', async () => {
    const model = testModelFolder();
    // Four PMIDs of the MEDLINE fixture, and one the file does not have.
    const pmids = ['16403221', '16377612', '14871861', '14630660', '99999999'];
    const documents: LabelwiseDocument[] = [];
    const source = { chunks: createReadStream(medline), name: medline, totalBytes: statSync(medline).size };
    for await (const batch of readDocuments(source, { withoutAbstract: 'keep' })) documents.push(...batch.documents);
    const titles = pmids.map((pmid) => documents.find((doc) => doc.pmid === pmid)?.title);
    expect(titles.filter((title) => title !== undefined)).toHaveLength(4);

    // Gold labels that each setting gets partly right: the abstract-only prediction for the first two records,
    // the titled one for the others, so a title lost, misplaced or given to another record changes the F1.
    const alone = classify(
      model,
      pmids.map(() => abstract),
    );
    const titledTexts = titles.map((title, index) => classifierInput({ id: `d${index}`, title, text: abstract }, 'title+abstract').text);
    const titled = classify(model, titledTexts);
    expect(titled.slice(0, 4)).not.toEqual(alone.slice(0, 4)); // the titles change some predictions
    const gold = pmids.map((_, index) => (index < 2 ? alone[index] : titled[index]) ?? []);

    const data = path.join(scratch, 'dev.jsonl');
    writeFileSync(
      data,
      pmids.map((pmid, index) => JSON.stringify({ id: `d${index}`, pmid, text: abstract, labels: gold[index] })).join('\n'),
    );
    const out = path.join(scratch, 'result.json');
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'bench/title-effect.ts', '--pubmed', medline, '--data', data, '--out', out, '--model', model],
      { cwd: REPO_ROOT },
    );
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result).toMatchObject({ documents: 5, with_title: 4, titles_from: 'tests/fixtures/pubmed/pubmed_result2.txt' });
    expect(result.abstract.micro_f1).toBeCloseTo(microF1(gold, alone), 4);
    expect(result.title_and_abstract.micro_f1).toBeCloseTo(microF1(gold, titled), 4);
    expect(result.micro_f1_change).toBeCloseTo(microF1(gold, titled) - microF1(gold, alone), 4);
  });
});
