import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/cli/import';
import { fixturePath } from '../io/helpers';

const directory = mkdtempSync(path.join(os.tmpdir(), 'labelwise-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function collect(stream: PassThrough): () => string {
  const parts: Buffer[] = [];
  stream.on('data', (part: Buffer) => parts.push(part));
  return () => Buffer.concat(parts).toString('utf8');
}

async function run(args: string[], input = '') {
  const [stdin, stdout, stderr] = [new PassThrough(), new PassThrough(), new PassThrough()];
  const [out, err] = [collect(stdout), collect(stderr)];
  stdin.end(input);
  const code = await runImport(args, { stdin, stdout, stderr });
  return { code, stdout: out(), stderr: err() };
}

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('labelwise import', () => {
  it('writes one JSON document per line from MEDLINE, with a summary on stderr', async () => {
    const { code, stdout, stderr } = await run([fixturePath('pubmed/pubmed_result2.txt')]);
    expect(code).toBe(0);
    const docs = lines(stdout);
    expect(docs.map((doc) => Object.keys(doc))).toEqual(Array(4).fill(['id', 'pmid', 'title', 'text']));
    expect(docs[2]).toMatchObject({ id: '14871861', pmid: '14871861', title: 'Open source clustering software.' });
    expect(stderr).toMatch(/pubmed_result2\.txt \(medline\): 4 imported, 0 failed, 0 skipped, 0 duplicates\n$/);
  });

  it('reads RIS by its extension and content, carrying the verbatim record for a later RIS export', async () => {
    const { code, stdout, stderr } = await run([fixturePath('ris/pubmed.ris')]);
    expect(code).toBe(0);
    const docs = lines(stdout);
    expect(docs.map((doc) => [doc.id, doc.doi])).toEqual([
      ['36600006', '10.1000/bco.2023.15.77'],
      ['34000007', undefined],
    ]);
    expect((docs[1]?.ris as string[][] | undefined)?.slice(0, 2)).toEqual([
      ['TY', 'JOUR'],
      ['DB', 'PubMed'],
    ]);
    expect(stderr).toMatch(/pubmed\.ris \(ris\): 2 imported, 0 failed, 0 skipped, 0 duplicates\n$/);
  });

  it('reports failed records with their position, still writes the good ones and exits 1', async () => {
    const { code, stdout, stderr } = await run([fixturePath('io/malformed-truncated.xml'), '--format', 'pubmed-xml']);
    expect(code).toBe(1);
    expect(lines(stdout).map((doc) => doc.pmid)).toEqual(['32000001', '32000005']);
    expect(stderr).toContain(
      'malformed-truncated.xml:5 (record 2, PubmedArticleSet/PubmedArticle[2]): end tag </b> has no matching start tag\n',
    );
    expect(stderr).toContain(': 2 imported, 4 failed, 0 skipped, 0 duplicates');
  });

  it('exits 0 when records are only skipped, and keeps them with --keep-without-abstract', async () => {
    const skipped = await run([fixturePath('pubmed/pubmed1.xml')]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('skipped: PMID 12091962 has no abstract');
    const kept = await run([fixturePath('pubmed/pubmed1.xml'), '--keep-without-abstract']);
    expect(lines(kept.stdout)[0]).toEqual({
      id: '12091962',
      pmid: '12091962',
      title: 'The treatment of AIDS behind the walls of correctional facilities.',
      text: '',
    });
  });

  it('maps CSV columns from options and reads stdin', async () => {
    const csv = 'ref\tabstract text\tcats\nr1\tFirst\ta|b\n';
    const { code, stdout } = await run(
      ['-', '--format', 'tsv', '--id-column', 'ref', '--text-column', 'abstract text', '--labels-column', 'cats'],
      csv,
    );
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([{ id: 'r1', text: 'First', labels: ['a', 'b'] }]);
  });

  it('refuses binary files, unknown formats and missing files with exit code 2', async () => {
    const binary = path.join(directory, 'image.png');
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    const refused = await run([binary]);
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr: `labelwise import: ${binary}: this looks like a PNG image, not a text file\n`,
    });
    expect((await run([binary, '--format', 'docx'])).stderr).toMatch(/--format must be auto or one of medline, pubmed-xml/);
    expect((await run([path.join(directory, 'missing.txt')])).code).toBe(2);
    expect((await run([])).stderr).toMatch(/missing FILE/);
  });

  it('runs as the labelwise command', async () => {
    const bin = path.resolve(fixturePath('.'), '../../bin/labelwise.mjs');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, 'import', fixturePath('pubmed/pubmed4.xml')]);
    expect(lines(stdout).map((doc) => doc.pmid)).toEqual(['27797938']);
    expect(stderr).toContain('1 imported, 0 failed');
  });
});
