/** The export file of the session: which documents, in which format, assembled in memory as a Blob (no giant string). */
import { type ExportSelection, exportCsv, exportJsonl, exportRis, selectForExport } from '../io/export';
import { allDocs, useAnnotation } from './annotation';
import { toAnnotationRecord } from './annotationRecords';
import type { AnnotatedDoc } from './db';

export type ExportFormat = 'jsonl' | 'csv' | 'ris';

const MIME_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson',
  csv: 'text/csv',
  ris: 'application/x-research-info-systems',
};

export interface ExportFile {
  blob: Blob;
  fileName: string;
  count: number;
}

/** How many documents of the session an export of this selection holds. */
export function exportCount(docs: ReadonlyMap<string, AnnotatedDoc>, selection: ExportSelection): number {
  return selectForExport(docs.values(), selection).length;
}

export function buildExport(selection: ExportSelection, format: ExportFormat): ExportFile {
  const items = selectForExport(allDocs().map(toAnnotationRecord), selection);
  const labelNames = useAnnotation.getState().settings.labels;
  const parts =
    format === 'jsonl' ? [...exportJsonl(items)] : format === 'ris' ? [...exportRis(items)] : [...exportCsv(items, { labelNames })];
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '');
  return {
    blob: new Blob(parts, { type: MIME_TYPES[format] }),
    fileName: `labelwise-${selection}-${stamp}.${format}`,
    count: items.length,
  };
}
