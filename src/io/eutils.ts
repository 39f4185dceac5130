/**
 * Fetching PubMed records by PMID through NCBI E-utilities (efetch, XML), parsed by the same
 * PubMed XML reader as files. Requests go out in batches and no faster than NCBI allows:
 * 3 requests per second without an API key, 10 with one.
 */
import { errorMessage } from '../core/errors';
import type { LabelwiseDocument } from './document';
import { PMID_PATTERN, type WithoutAbstract } from './formats/parser';
import { createPubmedXmlParser } from './formats/pubmed-xml';
import type { ImportCounts } from './import';
import { Deduplicator } from './import';
import type { ImportIssue } from './issues';

export const EFETCH_URL = 'https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi';
/** Longer query strings go as a POST body, as NCBI asks for long id lists. */
const MAX_GET_QUERY = 1800;
const RETRIES = 2;

export type FetchLike = (
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  statusText?: string;
  text(): Promise<string>;
}>;

export interface FetchPubmedOptions {
  /** globalThis.fetch in the browser and in Node 18+; injectable for tests. */
  fetch: FetchLike;
  apiKey?: string;
  /** PMIDs per request (default 200). */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { requested: number; total: number; documents: number }) => void;
  /** NCBI asks callers to identify themselves. */
  tool?: string;
  email?: string;
  withoutAbstract?: WithoutAbstract;
}

export interface FetchPubmedResult {
  documents: LabelwiseDocument[];
  issues: ImportIssue[];
  counts: ImportCounts;
}

/** Minimum gap between the starts of two requests. */
export function requestInterval(apiKey: string | undefined): number {
  return Math.ceil(1000 / (apiKey ? 10 : 3));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * NCBI's limit is per user, not per call: every fetchPubmed in this page or process shares one
 * schedule. Callers take turns, and each turn waits until `interval` has passed since the previous
 * request actually started: timers fire late under load, and a schedule of reserved slots would then
 * send the next request too soon after a late one.
 */
let lastRequestStart = Number.NEGATIVE_INFINITY;
let turns: Promise<void> = Promise.resolve();

function takeRequestSlot(interval: number, signal: AbortSignal | undefined): Promise<void> {
  const turn = turns.then(async () => {
    for (let wait = lastRequestStart + interval - Date.now(); wait > 0; wait = lastRequestStart + interval - Date.now()) {
      await sleep(wait, signal);
    }
    signal?.throwIfAborted();
    lastRequestStart = Date.now();
  });
  // A cancelled caller gives up its turn; the others go on.
  turns = turn.catch(() => {});
  return turn;
}

export async function fetchPubmed(pmids: Iterable<string>, options: FetchPubmedOptions): Promise<FetchPubmedResult> {
  const { fetch, apiKey, signal } = options;
  const batchSize = Math.max(1, options.batchSize ?? 200);
  const interval = requestInterval(apiKey);
  const result: FetchPubmedResult = { documents: [], issues: [], counts: { imported: 0, failed: 0, skipped: 0, duplicates: 0 } };
  const issue = (kind: ImportIssue['kind'], message: string, record?: number, pmid?: string) => {
    result.issues.push({ kind, message, position: record === undefined ? {} : { record }, ...(pmid ? { pmid } : {}) });
    result.counts[kind === 'error' ? 'failed' : kind === 'skipped' ? 'skipped' : 'duplicates']++;
  };

  const wanted: string[] = [];
  const listed = new Set<string>();
  let index = 0;
  for (const raw of pmids) {
    index++;
    const pmid = raw.trim();
    if (!PMID_PATTERN.test(pmid)) issue('error', `"${raw}" is not a PMID`, index);
    else if (listed.has(pmid)) issue('duplicate', `PMID ${pmid} is listed twice`, index);
    else {
      listed.add(pmid);
      wanted.push(pmid);
    }
  }

  const dedupe = new Deduplicator();
  const request = async (ids: string[]): Promise<string> => {
    const params = new URLSearchParams({ db: 'pubmed', id: ids.join(','), retmode: 'xml', tool: options.tool ?? 'labelwise' });
    if (options.email) params.set('email', options.email);
    if (apiKey) params.set('api_key', apiKey);
    const query = params.toString();
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await sleep(interval * attempt, signal);
      await takeRequestSlot(interval, signal);
      const response =
        query.length > MAX_GET_QUERY
          ? await fetch(EFETCH_URL, {
              method: 'POST',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              body: query,
              signal,
            })
          : await fetch(`${EFETCH_URL}?${query}`, { method: 'GET', signal });
      if (response.ok) return response.text();
      // Too many requests or a server hiccup: back off and retry; anything else is final.
      if (attempt >= RETRIES || (response.status !== 429 && response.status < 500)) {
        throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
    }
  };

  for (let start = 0; start < wanted.length; start += batchSize) {
    const ids = wanted.slice(start, start + batchSize);
    const batchNumber = start / batchSize + 1;
    let xml: string;
    try {
      xml = await request(ids);
    } catch (error) {
      if (signal?.aborted) throw error;
      issue('error', `efetch batch ${batchNumber} (PMIDs ${ids[0]}…${ids[ids.length - 1]}) failed: ${errorMessage(error)}`);
      continue;
    }
    const parser = createPubmedXmlParser(options.withoutAbstract ?? 'skip');
    const returned = new Set<string>();
    for (const record of [...parser.push(xml), ...parser.finish()]) {
      if (record.kind !== 'document') {
        if (record.pmid !== undefined) returned.add(record.pmid);
        issue(record.kind, `efetch batch ${batchNumber}: ${record.message}`, record.position.record, record.pmid);
        continue;
      }
      const pmid = record.document.pmid as string;
      returned.add(pmid);
      const duplicate = dedupe.check(record.document);
      if (duplicate) issue('duplicate', duplicate, undefined, pmid);
      else {
        result.documents.push(record.document);
        result.counts.imported++;
      }
    }
    for (const pmid of ids) {
      if (!returned.has(pmid)) issue('error', `PMID ${pmid} was not returned by PubMed (unknown or withdrawn?)`, undefined, pmid);
    }
    options.onProgress?.({ requested: start + ids.length, total: wanted.length, documents: result.documents.length });
  }
  return result;
}
