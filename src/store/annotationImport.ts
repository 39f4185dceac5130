/** The page's side of an import: the parsing worker (src/worker/import-bridge.ts), or E-utilities for a PMID list. */
import { fetchPubmed } from '../io/eutils';
import type { ImportReport } from '../worker/import-api';

export type { ImportReport } from '../worker/import-api';
export { parseInWorker } from '../worker/import-bridge';

/** Splits a pasted list of PMIDs (commas, spaces, new lines). */
export function parsePmidList(text: string): string[] {
  return text.split(/[\s,;]+/).filter((token) => token !== '');
}

/** Fetches PMIDs through NCBI E-utilities (online only), parsed by the same PubMed XML reader as files. */
export async function fetchPmids(
  pmids: string[],
  onProgress: (progress: { requested: number; total: number }) => void,
  signal: AbortSignal,
): Promise<ImportReport> {
  const result = await fetchPubmed(pmids, {
    fetch: (url, init) => fetch(url, init),
    signal,
    onProgress,
    withoutAbstract: 'skip',
  });
  return { format: 'pubmed-xml', documents: result.documents, issues: result.issues, counts: result.counts, fatal: null };
}
