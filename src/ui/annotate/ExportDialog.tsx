import { useState } from 'react';
import type { ExportSelection } from '../../io/export';
import { useAnnotation } from '../../store/annotation';
import { buildExport, type ExportFormat, exportCount } from '../../store/annotationExport';

const SCOPES: { value: ExportSelection; title: string }[] = [
  { value: 'corrected', title: 'Corrected only' },
  { value: 'reviewed', title: 'All reviewed (accepted + corrected)' },
  { value: 'all', title: 'Everything (every status)' },
];

/** Builds the export (src/store/annotationExport.ts) and hands it to the browser as a download; returns the document count. */
export function downloadExport(selection: ExportSelection, format: ExportFormat): number {
  const { blob, fileName, count } = buildExport(selection, format);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // Give the download a moment to start before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return count;
}

export function ExportDialog({ onClose }: { onClose: () => void }) {
  const docs = useAnnotation((state) => state.docs);
  const [selection, setSelection] = useState<ExportSelection>('reviewed');
  const [format, setFormat] = useState<ExportFormat>('jsonl');
  const [exported, setExported] = useState<number | null>(null);
  const count = exportCount(docs, selection);

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
          onClick={() => setExported(downloadExport(selection, format))}
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
