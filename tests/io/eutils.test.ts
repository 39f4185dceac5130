import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EFETCH_URL, type FetchLike, fetchPubmed, requestInterval } from '../../src/io/eutils';
import { fixturePath } from './helpers';

/** The PubmedArticle elements of the recorded files, by PMID, cut out as NCBI would send them. */
function recordedArticles(): Map<string, string> {
  const articles = new Map<string, string>();
  for (const name of ['pubmed/pubmed1.xml', 'pubmed/pubmed4.xml', 'io/structured-crlf-bom.xml']) {
    const xml = readFileSync(fixturePath(name), 'utf8');
    for (const match of xml.matchAll(/<(PubmedArticle|PubmedBookArticle)>[\s\S]*?<\/\1>/g)) {
      const pmid = /<PMID[^>]*>(\d+)<\/PMID>/.exec(match[0])?.[1] as string;
      if (!articles.has(pmid)) articles.set(pmid, match[0]);
    }
  }
  return articles;
}

interface Call {
  url: string;
  method: string;
  ids: string[];
  params: URLSearchParams;
  at: number;
}

/** Answers efetch requests from the recorded XML, recording what was asked and when. */
function recordedEfetch(statuses: number[] = []) {
  const articles = recordedArticles();
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const query = init.method === 'POST' ? (init.body as string) : url.slice(url.indexOf('?') + 1);
    const params = new URLSearchParams(query);
    const ids = (params.get('id') ?? '').split(',');
    calls.push({ url, method: init.method, ids, params, at: performance.now() });
    const status = statuses.shift() ?? 200;
    const body = `<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n${ids
      .map((id) => articles.get(id) ?? '')
      .join('\n')}\n</PubmedArticleSet>`;
    return { ok: status === 200, status, statusText: status === 200 ? 'OK' : 'Error', text: async () => body };
  };
  return { fetch, calls };
}

const gaps = (calls: Call[]) => calls.slice(1).map((call, i) => call.at - (calls[i] as Call).at);

describe('fetchPubmed (E-utilities efetch)', () => {
  it('fetches in batches at most 3 requests per second and parses with the PubMed XML reader', async () => {
    const { fetch, calls } = recordedEfetch();
    const progress: number[] = [];
    const result = await fetchPubmed(['27797938', '9997', '12091962', ' 31000001 ', '99999999', 'abc', '9997'], {
      fetch,
      batchSize: 2,
      onProgress: ({ requested }) => progress.push(requested),
    });
    expect(calls.map((call) => [call.method, call.ids])).toEqual([
      ['GET', ['27797938', '9997']],
      ['GET', ['12091962', '31000001']],
      ['GET', ['99999999']],
    ]);
    const url = new URL(calls[0]?.url as string);
    expect(`${url.origin}${url.pathname}`).toBe(EFETCH_URL);
    expect(EFETCH_URL).toBe('https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi');
    expect(Object.fromEntries(url.searchParams)).toEqual({ db: 'pubmed', id: '27797938,9997', retmode: 'xml', tool: 'labelwise' });
    expect(Math.min(...gaps(calls))).toBeGreaterThanOrEqual(requestInterval(undefined) - 2);
    expect(requestInterval(undefined)).toBe(334);
    expect(progress).toEqual([2, 4, 5]);

    expect(result.documents.map((doc) => doc.pmid)).toEqual(['27797938', '9997', '31000001']);
    expect(result.documents[0]?.title).toBe(
      'Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer.',
    );
    expect(result.counts).toEqual({ imported: 3, failed: 2, skipped: 1, duplicates: 1 });
    expect(result.issues.map((issue) => issue.message)).toEqual([
      '"abc" is not a PMID',
      'PMID 9997 is listed twice',
      'efetch batch 2: PMID 12091962 has no abstract',
      'PMID 99999999 was not returned by PubMed (unknown or withdrawn?)',
    ]);
  });

  it('goes up to 10 requests per second with an API key, which it sends', async () => {
    const { fetch, calls } = recordedEfetch();
    await fetchPubmed(['27797938', '9997', '31000001', '12091962'], { fetch, batchSize: 1, apiKey: 'KEY123' });
    expect(calls).toHaveLength(4);
    expect(calls.every((call) => call.params.get('api_key') === 'KEY123')).toBe(true);
    const measured = gaps(calls);
    expect(Math.min(...measured)).toBeGreaterThanOrEqual(requestInterval('KEY123') - 2);
    expect(Math.max(...measured)).toBeLessThan(requestInterval(undefined));
  });

  it('POSTs long id lists and sends the rest of the batch by GET', async () => {
    const { fetch, calls } = recordedEfetch();
    const pmids = Array.from({ length: 250 }, (_, i) => String(20000000 + i));
    pmids[199] = '27797938';
    const result = await fetchPubmed(pmids, { fetch, apiKey: 'k' });
    expect(calls.map((call) => [call.method, call.ids.length])).toEqual([
      ['POST', 200],
      ['GET', 50],
    ]);
    expect(calls[0]?.url).toBe(EFETCH_URL);
    expect(calls[0]?.params.get('retmode')).toBe('xml');
    expect(result.documents.map((doc) => doc.pmid)).toEqual(['27797938']);
    expect(result.counts.failed).toBe(249);
  });

  it('retries after HTTP 429, reports a batch that fails for good and goes on', async () => {
    const { fetch, calls } = recordedEfetch([429, 200, 400]);
    const result = await fetchPubmed(['27797938', '9997'], { fetch, batchSize: 1, apiKey: 'k' });
    expect(calls.map((call) => call.ids[0])).toEqual(['27797938', '27797938', '9997']);
    expect(result.documents.map((doc) => doc.pmid)).toEqual(['27797938']);
    expect(result.issues.map((issue) => issue.message)).toEqual(['efetch batch 2 (PMIDs 9997…9997) failed: HTTP 400 Error']);
  });

  it('keeps to the rate limit across concurrent calls', async () => {
    const { fetch, calls } = recordedEfetch();
    await Promise.all([
      fetchPubmed(['27797938', '9997'], { fetch, batchSize: 1 }),
      fetchPubmed(['31000001', '31000003'], { fetch, batchSize: 1 }),
    ]);
    expect(calls).toHaveLength(4);
    expect(Math.min(...gaps(calls))).toBeGreaterThanOrEqual(requestInterval(undefined) - 2);
  });

  it('accepts the platform fetch and sends nothing for an empty list', async () => {
    const result = await fetchPubmed([], { fetch: globalThis.fetch });
    expect(result).toEqual({ documents: [], issues: [], counts: { imported: 0, failed: 0, skipped: 0, duplicates: 0 } });
  });

  it('stops when aborted, between requests', async () => {
    const { fetch: recorded, calls } = recordedEfetch();
    const controller = new AbortController();
    const fetch: FetchLike = async (url, init) => {
      const response = await recorded(url, init);
      controller.abort(new Error('cancelled by user'));
      return response;
    };
    await expect(fetchPubmed(['27797938', '9997', '31000001'], { fetch, batchSize: 1, signal: controller.signal })).rejects.toThrow(
      'cancelled by user',
    );
    expect(calls).toHaveLength(1);
  });
});
