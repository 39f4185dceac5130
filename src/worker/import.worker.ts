/**
 * Reads and parses an import off the main thread (a 50 MB file must not freeze the page): the file is
 * streamed through src/io's incremental readers and the documents come back in slices as they are read.
 */
import * as Comlink from 'comlink';
import type { LabelwiseDocument } from '../io/document';
import { type ReadOptions, readDocuments } from '../io/import';
import { ImportFileError } from '../io/issues';
import type { ImportProgressReport, ImportRequest, ImportWorkerApi, WorkerReport } from './import-api';

/** Enough issues to show and to act on; the counts cover all of them. */
const MAX_ISSUES = 1000;

/** Documents go to the page in slices: one 25 MB message would block the page while it is decoded. */
const SLICE = 500;

async function importSource(
  request: ImportRequest,
  onProgress: (progress: ImportProgressReport) => void,
  onDocuments: (documents: LabelwiseDocument[]) => void,
): Promise<WorkerReport> {
  const source =
    request.file !== undefined
      ? { chunks: request.file.stream(), name: request.file.name, totalBytes: request.file.size }
      : { chunks: request.text ?? '', name: request.name, totalBytes: request.text?.length };
  const report: WorkerReport = {
    format: null,
    issues: [],
    counts: { imported: 0, failed: 0, skipped: 0, duplicates: 0 },
    fatal: null,
    slices: 0,
  };
  let pending: LabelwiseDocument[] = [];
  const send = () => {
    onDocuments(pending);
    report.slices++;
    pending = [];
  };
  const options: ReadOptions = request.options;
  try {
    for await (const batch of readDocuments(source, options)) {
      report.format = batch.format;
      for (const document of batch.documents) pending.push(document);
      if (pending.length >= SLICE) send();
      for (const issue of batch.issues) if (report.issues.length < MAX_ISSUES) report.issues.push(issue);
      report.counts = batch.counts;
      onProgress({ bytesRead: batch.progress.bytesRead, totalBytes: batch.progress.totalBytes, counts: batch.counts });
    }
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error;
    report.fatal = error.message;
  }
  if (pending.length > 0) send();
  return report;
}

const api: ImportWorkerApi = { importSource };

Comlink.expose(api);
