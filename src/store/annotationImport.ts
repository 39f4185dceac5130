/** The page's side of an import: runs the parsing worker, or E-utilities for a PMID list. */
import * as Comlink from 'comlink';
import type { Format } from '../io/detect';
import type { LabelwiseDocument } from '../io/document';
import { fetchPubmed } from '../io/eutils';
import type { ImportCounts, ReadOptions } from '../io/import';
import type { ImportIssue } from '../io/issues';
import type { ImportWorkerApi } from './annotationImport.worker';

export interface ImportRequest {
  file?: File;
  text?: string;
  name?: string;
  options: ReadOptions;
}

export interface ImportProgressReport {
  bytesRead: number;
  totalBytes?: number;
  counts: ImportCounts;
}

export interface ImportReport {
  format: Format | null;
  documents: LabelwiseDocument[];
  /** The first issues (bad records with their position); `counts` has the totals. */
  issues: ImportIssue[];
  counts: ImportCounts;
  /** A problem with the whole input (binary file, unknown column): nothing was imported. */
  fatal: string | null;
}

/** What the worker returns; the documents themselves came before, in `slices` messages. */
export type WorkerReport = Omit<ImportReport, 'documents'> & { slices: number };

/** Parses a file or pasted text in a worker of its own, which ends with the import. */
export async function parseInWorker(request: ImportRequest, onProgress: (progress: ImportProgressReport) => void): Promise<ImportReport> {
  const worker = new Worker(new URL('./annotationImport.worker.ts', import.meta.url), { type: 'module', name: 'labelwise-import' });
  const documents: LabelwiseDocument[] = [];
  let received = 0;
  let onSlice: (() => void) | null = null;
  try {
    const api = Comlink.wrap<ImportWorkerApi>(worker);
    const report = await api.importSource(
      request,
      Comlink.proxy(onProgress),
      Comlink.proxy((slice: LabelwiseDocument[]) => {
        for (const document of slice) documents.push(document);
        received++;
        onSlice?.();
      }),
    );
    // Callbacks travel on their own message channel: the report can arrive before the last slices.
    while (received < report.slices) {
      await new Promise<void>((resolve) => {
        onSlice = resolve;
      });
    }
    const { slices: _slices, ...rest } = report;
    return { ...rest, documents };
  } finally {
    worker.terminate();
  }
}

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
