/** The page's handle on the import worker: one worker per import, which ends with it. */
import * as Comlink from 'comlink';
import type { LabelwiseDocument } from '../io/document';
import type { ImportProgressReport, ImportReport, ImportRequest, ImportWorkerApi } from './import-api';

/** Parses a file or pasted text in a worker of its own, which ends with the import. */
export async function parseInWorker(request: ImportRequest, onProgress: (progress: ImportProgressReport) => void): Promise<ImportReport> {
  const worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module', name: 'labelwise-import' });
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
