import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, testModelFolder } from '../../src/cli/testing';

const scratch = mkdtempSync(path.join(tmpdir(), 'title-effect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bench/title-effect.ts', () => {
  it('takes the titles from a PubMed file by PMID and scores both classifier inputs', () => {
    const medline = path.join(REPO_ROOT, 'tests/fixtures/pubmed/pubmed_result2.txt');
    const data = path.join(scratch, 'dev.jsonl');
    // Four PMIDs of the MEDLINE fixture, and one the file does not have.
    const pmids = ['16403221', '16377612', '14871861', '14630660', '99999999'];
    writeFileSync(
      data,
      pmids
        .map((pmid, index) =>
          JSON.stringify({ id: `d${index}`, pmid, text: 'Tumour cells proliferate without growth signals.', labels: [] }),
        )
        .join('\n'),
    );
    const out = path.join(scratch, 'result.json');
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'bench/title-effect.ts', '--pubmed', medline, '--data', data, '--out', out, '--model', testModelFolder()],
      { cwd: REPO_ROOT },
    );
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result).toMatchObject({ documents: 5, with_title: 4, titles_from: 'tests/fixtures/pubmed/pubmed_result2.txt' });
    expect(result.abstract.micro_f1).toEqual(expect.any(Number));
    expect(result.title_and_abstract.micro_f1).toEqual(expect.any(Number));
  });
});
