import { createReadStream, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeIssue, importAll } from '../../src/io';
import { fixturePath, importFixture } from './helpers';

describe('real PubMed exports', () => {
  it('reads the MEDLINE file PubMed wrote, joining continuation lines', async () => {
    const path = fixturePath('pubmed/pubmed_result2.txt');
    const result = await importAll({ chunks: createReadStream(path, { highWaterMark: 512 }), name: path, totalBytes: statSync(path).size });
    expect(result.format).toBe('medline');
    expect(result.counts).toEqual({ imported: 4, failed: 0, skipped: 0, duplicates: 0 });
    expect(result.documents.map((doc) => doc.pmid)).toEqual(['16403221', '16377612', '14871861', '14630660']);
    const [first, second, , last] = result.documents;
    expect(first?.id).toBe('16403221');
    expect(first?.title).toBe('A high level interface to SCOP and ASTRAL implemented in python.');
    expect(first?.text).toBe(
      "BACKGROUND: Benchmarking algorithms in structural bioinformatics often involves the construction of datasets of proteins with given sequence and structural properties. The SCOP database is a manually curated structural classification which groups together proteins on the basis of structural similarity. The ASTRAL compendium provides non redundant subsets of SCOP domains on the basis of sequence similarity such that no two domains in a given subset share more than a defined degree of sequence similarity. Taken together these two resources provide a 'ground truth' for assessing structural bioinformatics algorithms. We present a small and easy to use API written in python to enable construction of datasets from these resources. RESULTS: We have designed a set of python modules to provide an abstraction of the SCOP and ASTRAL databases. The modules are designed to work as part of the Biopython distribution. Python users can now manipulate and use the SCOP hierarchy from within python programs, and use ASTRAL to return sequences of domains in SCOP, as well as clustered representations of SCOP from ASTRAL. CONCLUSION: The modules make the analysis and generation of datasets for use in structural genomics easier and more principled.",
    );
    // A title wrapped onto a continuation line.
    expect(second?.title).toBe('GenomeDiagram: a python package for the visualization of large-scale genomic data.');
    expect(last?.title).toBe('PDB file parser and structure class implemented in Python.');
    expect(last?.text.endsWith('is freely available (under the Biopython license) from http://www.biopython.org')).toBe(true);
  });

  it('reads PubMed XML with a structured abstract and inline markup', async () => {
    const result = await importFixture('pubmed/pubmed4.xml', {}, 1000);
    expect(result.format).toBe('pubmed-xml');
    expect(result.counts).toEqual({ imported: 1, failed: 0, skipped: 0, duplicates: 0 });
    const [doc] = result.documents;
    // 49 other PMIDs (comments, references) sit in this record: only MedlineCitation/PMID is its own.
    expect(doc?.pmid).toBe('27797938');
    expect(doc?.title).toBe('Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer.');
    const paragraphs = doc?.text.split('\n') ?? [];
    expect(paragraphs.map((paragraph) => paragraph.split(':')[0])).toEqual(['OBJECTIVE', 'DESIGN', 'RESULTS', 'CONCLUSIONS']);
    expect(paragraphs[0]).toBe(
      'OBJECTIVE: Telomere shortening occurs as an early event in pancreatic tumorigenesis, and genetic variants at the telomerase reverse transcriptase (TERT) gene region have been associated with pancreatic cancer risk. However, it is unknown whether prediagnostic leucocyte telomere length is associated with subsequent risk of pancreatic cancer.',
    );
    // <sub>, <sup> and &lt; inside the text.
    expect(paragraphs[2]).toContain('95% CI 1.07 to 2.78; ptrend=0.048)');
    expect(paragraphs[2]).toContain('(linkage disequilibrium r2<0.25)');
    expect(paragraphs[3]).toBe(
      'CONCLUSIONS: Prediagnostic leucocyte telomere length and genetic variants at the TERT gene region were associated with risk of pancreatic cancer.',
    );
    expect(doc?.text).not.toContain('Published by the BMJ');
  });

  it('skips the article without an abstract with its position, imports the other', async () => {
    const result = await importFixture('pubmed/pubmed1.xml');
    expect(result.counts).toEqual({ imported: 1, failed: 0, skipped: 1, duplicates: 0 });
    expect(result.documents[0]).toMatchObject({
      id: '9997',
      pmid: '9997',
      title: 'Magnetic studies of Chromatium flavocytochrome C552. A mechanism for heme-flavin interaction.',
    });
    expect(result.documents[0]?.text.startsWith('Electron paramagnetic resonance and magnetic susceptibility studies')).toBe(true);
    expect(result.issues).toEqual([
      {
        kind: 'skipped',
        message: 'PMID 12091962 has no abstract',
        pmid: '12091962',
        position: { line: 4, record: 1, path: 'PubmedArticleSet/PubmedArticle[1]' },
      },
    ]);
    expect(describeIssue(result.issues[0] as never, 'pubmed1.xml')).toBe(
      'pubmed1.xml:4 (record 1, PubmedArticleSet/PubmedArticle[1]): skipped: PMID 12091962 has no abstract',
    );
  });

  it('imports title-only articles when asked to keep them', async () => {
    const result = await importFixture('pubmed/pubmed1.xml', { withoutAbstract: 'keep' });
    expect(result.counts.imported).toBe(2);
    expect(result.documents[0]).toEqual({
      id: '12091962',
      pmid: '12091962',
      title: 'The treatment of AIDS behind the walls of correctional facilities.',
      text: '',
    });
  });
});

describe('PubMed XML written after the DTD', () => {
  it('handles BOM, CRLF, DOCTYPE, structured abstracts, markup, MathML, entities, CDATA and book articles', async () => {
    const result = await importFixture('io/structured-crlf-bom.xml');
    expect(result.counts).toEqual({ imported: 3, failed: 0, skipped: 1, duplicates: 1 });
    const [article, unstructured, book] = result.documents;
    expect(article).toEqual({
      id: '31000001',
      pmid: '31000001',
      title: 'Role of TP53 in H2O2-induced apoptosis & cell death.',
      text: [
        'BACKGROUND: Reactive oxygen species (ROS) such as H2O2 damage DNA.',
        'METHODS: We exposed cells to 10\u2009μM H2O2; p<0.05 was significant (n\u2009=\u200912).',
        'RESULTS: Apoptosis rose by 40% with α=0.5 and r2 > 0.9.',
        'CONCLUSIONS: TP53 mediates <this> & that.',
      ].join('\n'),
    });
    // No label prefix for unlabelled parts; OtherAbstract (another language) is not the abstract.
    expect(unstructured?.text).toBe('First part of a plain abstract.\nSecond part without a label.');
    expect(book).toEqual({
      id: '20301001',
      pmid: '20301001',
      title: 'Li-Fraumeni Syndrome',
      text: 'CLINICAL CHARACTERISTICS: Li-Fraumeni syndrome is a cancer predisposition syndrome.\nDIAGNOSIS/TESTING: The diagnosis is established by a TP53 variant.',
    });
    expect(result.issues.map((issue) => [issue.kind, issue.position.line, issue.position.record, issue.message])).toEqual([
      ['skipped', 31, 2, 'PMID 31000002 has no abstract'],
      ['duplicate', 68, 5, 'duplicate of an earlier record with PMID 31000001'],
    ]);
  });

  it('reports malformed and truncated articles with their line and goes on', async () => {
    const result = await importFixture('io/malformed-truncated.xml');
    expect(result.documents.map((doc) => doc.pmid)).toEqual(['32000001', '32000005']);
    expect(result.documents[1]?.title).toBe('Good again & after errors.');
    expect(result.counts).toEqual({ imported: 2, failed: 4, skipped: 0, duplicates: 0 });
    expect(result.issues.map((issue) => [issue.position.line, issue.position.path, issue.message])).toEqual([
      [5, 'PubmedArticleSet/PubmedArticle[2]', 'end tag </b> has no matching start tag'],
      [8, 'PubmedArticleSet/PubmedArticle[3]', '"<" that does not start a tag (should be written &lt;)'],
      [9, 'PubmedArticleSet/PubmedArticle[4]', 'record has no PMID'],
      [11, 'PubmedArticleSet/PubmedArticle[6]', 'the file ends inside <PubmedArticle> (opened on line 11): truncated or not closed'],
    ]);
  });

  it('reports an E-utilities error document', async () => {
    const result = await importFixture('io/efetch-error.xml');
    expect(result.documents).toEqual([]);
    expect(result.issues).toEqual([
      {
        kind: 'error',
        message: 'E-utilities: ID list is empty! Possibly it has no correct IDs.',
        position: { line: 4, path: 'eFetchResult' },
      },
    ]);
  });

  it('refuses XML that is not PubMed', async () => {
    const result = await importAll({ chunks: '<?xml version="1.0"?>\n<html><body>hi</body></html>' });
    expect(result.counts.failed).toBeGreaterThan(0);
    expect(result.issues[0]?.message).toBe('not a PubMed XML file: the root element is <html>, expected <PubmedArticleSet>');
  });

  it('gives the same result whatever the chunk boundaries', async () => {
    for (const name of ['io/structured-crlf-bom.xml', 'io/malformed-truncated.xml', 'pubmed/pubmed4.xml']) {
      const whole = await importFixture(name);
      for (const size of [1, 3, 17]) expect(await importFixture(name, {}, size)).toEqual(whole);
    }
  });
});

describe('MEDLINE variants', () => {
  it('handles BOM, CRLF, missing blank lines, repeated AB, book titles, bad lines and missing PMIDs', async () => {
    const result = await importFixture('io/variants-crlf-bom.nbib');
    expect(result.format).toBe('medline');
    expect(result.documents).toEqual([
      {
        id: '33000001',
        pmid: '33000001',
        title: 'A title that wraps onto a second line because it is rather long and PubMed wraps at about eighty characters.',
        text: 'BACKGROUND: The abstract wraps too. It continues on indented lines that carry trailing spaces and must be joined with single spaces. RESULTS: Fine.',
      },
      {
        id: '33000003',
        pmid: '33000003',
        title: 'Record started by PMID without a blank line.',
        text: 'First abstract paragraph. Second AB field of the same record.',
      },
      { id: '33000005', pmid: '33000005', title: 'Holland-Frei Cancer Medicine. 6th edition', text: 'A book chapter abstract.' },
    ]);
    expect(result.issues.map((issue) => [issue.kind, issue.position.line, issue.position.record])).toEqual([
      ['skipped', 16, 2],
      ['error', 26, 4],
      ['error', 33, 6],
      ['duplicate', 36, 7],
    ]);
    expect(result.issues[1]?.message).toContain('"this line is not a field"');
    expect(result.issues[2]?.message).toBe('record has no PMID');
    for (const size of [1, 5]) expect(await importFixture('io/variants-crlf-bom.nbib', {}, size)).toEqual(result);
  });
});
