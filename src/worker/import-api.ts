/** The typed surface of the import worker, shared by the worker and the page's side (import-bridge.ts). */
import type { Format } from '../io/detect';
import type { LabelwiseDocument } from '../io/document';
import type { ImportCounts, ReadOptions } from '../io/import';
import type { ImportIssue } from '../io/issues';

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

export interface ImportWorkerApi {
  importSource(
    request: ImportRequest,
    onProgress: (progress: ImportProgressReport) => void,
    onDocuments: (documents: LabelwiseDocument[]) => void,
  ): Promise<WorkerReport>;
}
