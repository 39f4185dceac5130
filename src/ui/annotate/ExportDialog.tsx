import { useState } from 'react';
import { type ExportSelection, exportCsv, exportJsonl, exportRis, selectForExport } from '../../io/export';
import { allDocs, useAnnotation } from '../../store/annotation';
import { toAnnotatedDocument } from '../../store/annotationRecords';

type ExportFormat = 'jsonl' | 'csv' | 'ris';

const MIME_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson',
  csv: 'text/csv',
  ris: 'application/x-research-info-systems',
};

const SCOPES: { value: ExportSelection; title: string }[] = [
  { value: 'corrected', title: 'Corrected only' },
  { value: 'reviewed', title: 'All reviewed (accepted + corrected)' },
  { value: 'all', title: 'Everything (every status)' },
];

/** Builds the export file in memory (strings in a Blob: no giant string) and hands it to the browser. */
export function downloadExport(selection: ExportSelection, format: ExportFormat, labels: string[]): number {
  const items = selectForExport(allDocs().map(toAnnotatedDocument), selection);
  const parts =
    format === 'jsonl' ? [...exportJsonl(items)] : format === 'ris' ? [...exportRis(items)] : [...exportCsv(items, { labelNames: labels })];
  const blob = new Blob(parts, { type: MIME_TYPES[format] });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `labelwise-${selection}-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.${format}`;
  link.click();
  // Give the download a moment to start before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return items.length;
}

export function ExportDialog({ onClose }: { onClose: () => void }) {
  const docs = useAnnotation((state) => state.docs);
  const labels = useAnnotation((state) => state.settings.labels);
  const [selection, setSelection] = useState<ExportSelection>('reviewed');
  const [format, setFormat] = useState<ExportFormat>('jsonl');
  const [exported, setExported] = useState<number | null>(null);
  const count = selectForExport(docs.values(), selection).length;

  return (
    <div className="aw-dialog" role="dialog" aria-modal="true" aria-labelledby="aw-export-title">
      <h2 id="aw-export-title">Export annotations</h2>
      <fieldset>
        <legend>Which documents</legend>
        {SCOPES.map((scope) => (
          <label key={scope.value}>
            <input type="radio" name="aw-scope" checked={selection === scope.value} onChange={() => setSelection(scope.value)} />{' '}
            {scope.title}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Format</legend>
        <label>
          <input type="radio" name="aw-format" checked={format === 'jsonl'} onChange={() => setFormat('jsonl')} /> JSON Lines (training
          data; imports again to continue)
        </label>
        <label>
          <input type="radio" name="aw-format" checked={format === 'csv'} onChange={() => setFormat('csv')} /> CSV (spreadsheets)
        </label>
        <label>
          <input type="radio" name="aw-format" checked={format === 'ris'} onChange={() => setFormat('ris')} /> RIS (Zotero, EndNote,
          Mendeley: records as imported, labels as keywords "labelwise:…")
        </label>
      </fieldset>
      <p data-testid="export-count">{count} document(s) will be exported.</p>
      {exported !== null && <p role="status">Exported {exported} document(s).</p>}
      <div className="aw-dialog-actions">
        <button
          type="button"
          disabled={count === 0}
          onClick={() => setExported(downloadExport(selection, format, labels))}
          data-testid="export-download"
        >
          Download
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
