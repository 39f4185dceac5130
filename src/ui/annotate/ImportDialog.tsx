// Over 300 lines: one dialog for files, pasted text and PMIDs, with CSV column mapping and the import report; not split yet.

import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../core/errors';
import { extensionOf, FORMATS, type Format, type FormatOption } from '../../io/detect';
import type { ColumnMapping, CsvHeader } from '../../io/formats/csv';
import { type ReadOptions, readHeader } from '../../io/import';
import { describeIssue } from '../../io/issues';
import { type ImportOutcome, importDocs, setSettings, useAnnotation } from '../../store/annotation';
import { fetchPmids, type ImportReport, parseInWorker, parsePmidList } from '../../store/annotationImport';
import { fromImportedRecord } from '../../store/annotationRecords';

type Source = 'file' | 'paste' | 'pmids';

type Phase =
  | { step: 'choose' }
  | { step: 'reading'; done: number; total: number | null; unit: 'bytes' | 'PMIDs' }
  | { step: 'saving'; written: number; total: number }
  | { step: 'done'; report: ImportReport; outcome: ImportOutcome; sourceName: string }
  | { step: 'failed'; message: string };

const FORMAT_NAMES: Record<Format, string> = {
  medline: 'PubMed MEDLINE (.nbib/.txt)',
  'pubmed-xml': 'PubMed XML',
  ris: 'RIS (Zotero, EndNote, Mendeley, Ovid)',
  jsonl: 'JSON Lines (dataset shape or {"text"})',
  csv: 'CSV',
  tsv: 'TSV',
  txt: 'Plain text (blank line between documents)',
};

/** CSV/TSV needs a column picker: chosen as the format, or detected from the file's extension. */
function csvLike(chosen: File | null, option: FormatOption): boolean {
  return option === 'csv' || option === 'tsv' || (option === 'auto' && ['csv', 'tsv', 'tab'].includes(extensionOf(chosen?.name)));
}

const MAPPED_FIELDS = ['text', 'id', 'title', 'pmid', 'labels'] as const;

function ColumnPicker({
  header,
  mapping,
  onChange,
}: {
  header: CsvHeader;
  mapping: ColumnMapping;
  onChange: (mapping: ColumnMapping) => void;
}) {
  return (
    <fieldset className="aw-columns">
      <legend>Columns</legend>
      {MAPPED_FIELDS.map((field) => (
        <label key={field}>
          {field === 'text' ? 'text (required)' : field}{' '}
          <select
            value={mapping[field] ?? ''}
            onChange={(event) => {
              const value = event.target.value;
              if (field === 'text') onChange({ ...mapping, text: value });
              else onChange({ ...mapping, [field]: value || undefined });
            }}
          >
            {field !== 'text' && <option value="">(none)</option>}
            {header.columns.map((column) => (
              <option key={column} value={column}>
                {column}
              </option>
            ))}
          </select>
        </label>
      ))}
      {header.sampleRows.length > 0 && (
        <table className="aw-sample">
          <thead>
            <tr>
              {header.columns.map((column) => (
                <th key={column}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {header.sampleRows.slice(0, 3).map((row, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: preview rows have no identity
              <tr key={index}>
                {header.columns.map((column, cell) => (
                  <td key={column}>{(row[cell] ?? '').slice(0, 60)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </fieldset>
  );
}

function Report({ phase }: { phase: Extract<Phase, { step: 'done' }> }) {
  const { report, outcome, sourceName } = phase;
  const { counts } = report;
  const bad = report.issues.filter((issue) => issue.kind === 'error');
  const other = report.issues.filter((issue) => issue.kind !== 'error');
  return (
    <div className="aw-report" role="status" data-testid="import-report">
      {report.fatal ? (
        <p className="aw-error" role="alert">
          Nothing imported: {report.fatal}
        </p>
      ) : (
        <p>
          Imported <strong data-testid="import-imported">{outcome.imported}</strong> document(s)
          {report.format ? ` (${FORMAT_NAMES[report.format]})` : ''}; bad records: <strong data-testid="import-bad">{counts.failed}</strong>
          ; skipped: {counts.skipped}; duplicates in the file: <span data-testid="import-duplicates">{counts.duplicates}</span>; already in
          the session: <span data-testid="import-existing">{outcome.duplicates}</span>.
        </p>
      )}
      {bad.length > 0 && (
        <details open>
          <summary>Bad records ({counts.failed})</summary>
          <ul className="aw-issues" data-testid="import-issues">
            {bad.slice(0, 200).map((issue, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: issues are listed once, in file order
              <li key={index}>{describeIssue(issue, sourceName)}</li>
            ))}
          </ul>
        </details>
      )}
      {other.length > 0 && (
        <details>
          <summary>Skipped and duplicate records ({counts.skipped + counts.duplicates})</summary>
          <ul className="aw-issues">
            {other.slice(0, 200).map((issue, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: issues are listed once, in file order
              <li key={index}>{describeIssue(issue, sourceName)}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

export function ImportDialog({ onClose }: { onClose: () => void }) {
  const classifierInput = useAnnotation((state) => state.settings.classifierInput);
  const [source, setSource] = useState<Source>('file');
  const [format, setFormat] = useState<FormatOption>('auto');
  const [file, setFile] = useState<File | null>(null);
  const [pasted, setPasted] = useState('');
  const [pmids, setPmids] = useState('');
  const [header, setHeader] = useState<CsvHeader | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping | null>(null);
  const [phase, setPhase] = useState<Phase>({ step: 'choose' });
  const [online, setOnline] = useState(navigator.onLine);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);

  // A CSV/TSV file needs its columns mapped: read its header (the first 64 KiB only).
  useEffect(() => {
    setHeader(null);
    setMapping(null);
    if (!file || !csvLike(file, format)) return;
    let current = true;
    readHeader({ chunks: file.stream(), name: file.name, totalBytes: file.size }, format === 'tsv' ? '\t' : undefined)
      .then((read) => {
        if (!current) return;
        setHeader(read);
        setMapping(read.guess ?? (read.columns[0] !== undefined ? { text: read.columns[0] } : null));
      })
      .catch((error: unknown) => current && setPhase({ step: 'failed', message: errorMessage(error) }));
    return () => {
      current = false;
    };
  }, [file, format]);

  const finish = async (report: ImportReport, sourceName: string) => {
    if (report.fatal) {
      setPhase({ step: 'done', report, outcome: { imported: 0, duplicates: 0 }, sourceName });
      return;
    }
    const incoming = report.documents.map(fromImportedRecord);
    setPhase({ step: 'saving', written: 0, total: incoming.length });
    const outcome = await importDocs(incoming, (written) => setPhase({ step: 'saving', written, total: incoming.length }));
    setPhase({ step: 'done', report, outcome, sourceName });
  };

  const start = async () => {
    const options: ReadOptions = { format };
    if (mapping && header) options.csv = { delimiter: header.delimiter, columns: mapping };
    try {
      if (source === 'pmids') {
        const list = parsePmidList(pmids);
        abort.current = new AbortController();
        setPhase({ step: 'reading', done: 0, total: list.length, unit: 'PMIDs' });
        const report = await fetchPmids(
          list,
          (progress) => setPhase({ step: 'reading', done: progress.requested, total: progress.total, unit: 'PMIDs' }),
          abort.current.signal,
        );
        await finish(report, 'PubMed');
        return;
      }
      const request = source === 'file' && file ? { file, options } : { text: pasted, name: 'pasted text', options };
      setPhase({ step: 'reading', done: 0, total: file?.size ?? null, unit: 'bytes' });
      const report = await parseInWorker(request, (progress) =>
        setPhase({ step: 'reading', done: progress.bytesRead, total: progress.totalBytes ?? null, unit: 'bytes' }),
      );
      await finish(report, source === 'file' && file ? file.name : 'pasted text');
    } catch (error) {
      setPhase({ step: 'failed', message: errorMessage(error) });
    }
  };

  const busy = phase.step === 'reading' || phase.step === 'saving';
  const ready =
    source === 'file'
      ? file !== null && (!csvLike(file, format) || mapping !== null)
      : source === 'paste'
        ? pasted.trim() !== ''
        : online && pmids.trim() !== '';

  return (
    <div className="aw-dialog" role="dialog" aria-modal="true" aria-labelledby="aw-import-title">
      <h2 id="aw-import-title">Import documents</h2>
      <fieldset disabled={busy}>
        <legend>Source</legend>
        {(['file', 'paste', 'pmids'] as const).map((name) => (
          <label key={name}>
            <input type="radio" name="aw-source" checked={source === name} onChange={() => setSource(name)} />{' '}
            {name === 'file' ? 'A file' : name === 'paste' ? 'Pasted text' : 'PMIDs from PubMed'}
          </label>
        ))}
      </fieldset>
      {source !== 'pmids' && (
        <label>
          Format{' '}
          <select value={format} disabled={busy} onChange={(event) => setFormat(event.target.value as FormatOption)}>
            <option value="auto">Detect automatically</option>
            {FORMATS.map((name) => (
              <option key={name} value={name}>
                {FORMAT_NAMES[name]}
              </option>
            ))}
          </select>
        </label>
      )}
      {source === 'file' && (
        <label>
          File{' '}
          <input
            type="file"
            data-testid="import-file"
            accept=".txt,.jsonl,.ndjson,.csv,.tsv,.tab,.nbib,.medline,.xml,.ris"
            disabled={busy}
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
        </label>
      )}
      {source === 'file' && header && mapping && <ColumnPicker header={header} mapping={mapping} onChange={setMapping} />}
      {source === 'paste' && (
        <textarea
          aria-label="Text to import"
          rows={8}
          value={pasted}
          disabled={busy}
          placeholder="Paste abstracts (blank line between documents), JSON Lines, MEDLINE or PubMed XML"
          onChange={(event) => setPasted(event.target.value)}
        />
      )}
      {source === 'pmids' && (
        <>
          <textarea
            aria-label="PMIDs"
            rows={4}
            value={pmids}
            disabled={busy}
            placeholder="PMIDs separated by spaces, commas or new lines"
            onChange={(event) => setPmids(event.target.value)}
          />
          {!online && (
            <p className="aw-error" role="alert" data-testid="offline-message">
              You are offline: fetching PMIDs needs a connection to NCBI PubMed. Import a file instead, or try again when online.
            </p>
          )}
        </>
      )}
      <fieldset disabled={busy}>
        <legend>What the classifier reads</legend>
        <label>
          <input
            type="radio"
            name="aw-input"
            checked={classifierInput === 'abstract'}
            onChange={() => void setSettings({ classifierInput: 'abstract' })}
          />{' '}
          Abstract only
        </label>
        <label>
          <input
            type="radio"
            name="aw-input"
            checked={classifierInput === 'title+abstract'}
            onChange={() => void setSettings({ classifierInput: 'title+abstract' })}
          />{' '}
          Title and abstract
        </label>
      </fieldset>
      {phase.step === 'reading' && (
        <p>
          Reading… <progress value={phase.done} max={phase.total ?? undefined} />{' '}
          {phase.unit === 'bytes' ? `${(phase.done / 1e6).toFixed(1)} MB` : `${phase.done} of ${phase.total} PMIDs`}
          {source === 'pmids' && (
            <button type="button" onClick={() => abort.current?.abort()}>
              Cancel
            </button>
          )}
        </p>
      )}
      {phase.step === 'saving' && (
        <p>
          Saving… <progress value={phase.written} max={phase.total} /> {phase.written} of {phase.total}
        </p>
      )}
      {phase.step === 'failed' && (
        <p className="aw-error" role="alert">
          Import failed: {phase.message}
        </p>
      )}
      {phase.step === 'done' && <Report phase={phase} />}
      <div className="aw-dialog-actions">
        <button type="button" onClick={() => void start()} disabled={busy || !ready} data-testid="import-start">
          Import
        </button>
        <button type="button" onClick={onClose} disabled={busy}>
          {phase.step === 'done' ? 'Done' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
