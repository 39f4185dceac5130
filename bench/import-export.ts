/**
 * Import and export at scale (issue 4): 10,000 abstracts imported from each format through the
 * same src/io parsers the app and CLI use (time, peak memory), and 10,000 annotated documents
 * exported as JSONL, CSV and RIS (time). Run: npm run bench:import. Writes bench/results/import-export.json.
 *
 * Each import runs in a fresh Node process so its peak RSS is its own. The importer keeps every
 * document in memory (as a caller collecting the whole import would), so peak memory is an upper bound.
 * RIS also runs in the page (the built app in headless Chromium, real IndexedDB, no model loaded):
 * the 10,000 records through the import dialog (time, peak renderer memory) and back out through
 * the export dialog as RIS (time to the download). `--no-page` leaves that out.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import {
  type AnnotationRecord,
  exportCsv,
  exportJsonl,
  exportRis,
  type Format,
  importText,
  type LabelwiseDocument,
  readDocuments,
} from '../src/io';
import { importThroughDialog } from './browser-helpers.mjs';
import { median as medianOf } from './stats.mjs';

const DOCUMENTS = 10_000;
const IMPORT_RUNS = 3;
const EXPORT_RUNS = 5;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

const PAGE_PORT = 4185;
/** stats.mjs's median (the mean of the two middle runs on an even count), never null on these non-empty runs. */
const median = (values: number[]) => medianOf(values) as number;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** 10,000 real abstracts: the HoC and MTC-5 training texts, cycled, each under its own PMID. */
function corpus(): LabelwiseDocument[] {
  const texts: string[] = [];
  for (const file of ['data/hoc/train.jsonl', 'data/mtc5/train.jsonl']) {
    for (const line of readFileSync(path.join(root, file), 'utf8').split('\n')) {
      if (line.trim()) texts.push((JSON.parse(line) as { text: string }).text);
    }
  }
  return Array.from({ length: DOCUMENTS }, (_, i) => {
    const text = texts[i % texts.length] as string;
    const title = `${text.split(/(?<=\.) /)[0]?.slice(0, 150)}`;
    return { id: String(30_000_000 + i), pmid: String(30_000_000 + i), title, text, labels: ['Neoplasms'] };
  });
}

const xmlEscape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function wrapMedline(tag: string, value: string): string {
  const lines = value.match(/.{1,76}(\s|$)/g)?.map((line) => line.trimEnd()) ?? [value];
  return [`${tag.padEnd(4)}- ${lines[0]}`, ...lines.slice(1).map((line) => `      ${line}`)].join('\n');
}

const WRITERS: Record<Exclude<Format, 'tsv' | 'txt'>, (docs: LabelwiseDocument[]) => string> = {
  medline: (docs) =>
    docs
      .map((doc) =>
        [
          `PMID- ${doc.pmid}`,
          'OWN - NLM',
          wrapMedline('TI', doc.title ?? ''),
          wrapMedline('AB', doc.text),
          'AU  - Doe J',
          'MH  - Neoplasms',
          '',
        ].join('\n'),
      )
      .join('\n'),
  'pubmed-xml': (docs) =>
    `<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n${docs
      .map(
        (doc) =>
          `<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">${doc.pmid}</PMID><Article PubModel="Print"><ArticleTitle>${xmlEscape(doc.title ?? '')}</ArticleTitle><Abstract><AbstractText Label="BACKGROUND">${xmlEscape(doc.text)}</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>`,
      )
      .join('\n')}\n</PubmedArticleSet>\n`,
  // Zotero's shape: CRLF, a blank line after each record, the PMID in N1, repeated AU/KW.
  ris: (docs) =>
    docs
      .map((doc) =>
        [
          'TY  - JOUR',
          `TI  - ${doc.title}`,
          'AU  - Doe, Jane',
          'AU  - Roe, Richard',
          'T2  - Journal of Benchmarks',
          `AB  - ${doc.text}`,
          'PY  - 2020',
          `DO  - 10.1000/bench.${doc.pmid}`,
          'DP  - PubMed',
          `N1  - PMID: ${doc.pmid}`,
          'KW  - Neoplasms',
          'KW  - Humans',
          'ER  - ',
          '',
        ].join('\r\n'),
      )
      .join('\r\n'),
  jsonl: (docs) => docs.map((doc) => `${JSON.stringify(doc)}\n`).join(''),
  csv: (docs) =>
    [...exportCsv(docs.map((document): AnnotationRecord => ({ document, status: 'new', labels: document.labels ?? [] })))].join(''),
};

interface ImportFigures {
  documents: number;
  ms: number;
  referenceMs: number;
  peakRssMB: number;
  startRssMB: number;
}

/** Child process: import one file, keeping every document, and report time and memory. */
async function importOnce(file: string): Promise<ImportFigures> {
  const startRss = process.memoryUsage().rss;
  const kept: LabelwiseDocument[] = [];
  const started = performance.now();
  for await (const batch of readDocuments({
    chunks: createReadStream(file, { highWaterMark: 1 << 16 }),
    name: file,
    totalBytes: statSync(file).size,
  })) {
    kept.push(...batch.documents);
  }
  const ms = performance.now() - started;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const documents = kept.length;
  kept.length = 0;
  // The yardstick is taken in the same process right after, so the ratio holds under a varying load.
  return { documents, ms, referenceMs: referenceMs(corpus()), peakRssMB, startRssMB: startRss / 2 ** 20 };
}

/** RIS through the page: import dialog in, export dialog out, in the built app (renderer memory from /proc). */
async function pageFigures(risFile: string) {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'labelwise-bench-dist-'));
  const build = spawnSync('npx', ['vite', 'build', '--outDir', dist], { cwd: root, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('vite build failed');
  const server = spawn('npx', ['vite', 'preview', '--outDir', dist, '--port', String(PAGE_PORT), '--strictPort', '--host', '127.0.0.1'], {
    cwd: root,
    stdio: 'ignore',
    detached: true,
  });
  const browserServer = await chromium.launchServer({ executablePath: chromiumPath, args: chromiumArgs });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const browserPid = browserServer.process().pid as number;
  try {
    const baseURL = `http://127.0.0.1:${PAGE_PORT}`;
    for (
      let attempt = 0;
      !(await fetch(baseURL).then(
        (response) => response.ok,
        () => false,
      ));
      attempt++
    ) {
      if (attempt > 120) throw new Error(`the preview server did not answer at ${baseURL}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const context = await browser.newContext({ baseURL, acceptDownloads: true });
    // No model: what is measured is reading, storing and writing the records.
    await context.route('**/models/index.json', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: '{"models":[]}' }),
    );
    const page = await context.newPage();
    await page.goto('/?tab=annotate');
    await page.getByTestId('annotate-view').waitFor();
    const {
      seconds: importSeconds,
      imported,
      rssBeforeMiB: before,
      rssPeakMiB: peak,
    } = await importThroughDialog(page, risFile, browserPid);
    await page.getByTestId('open-export').click();
    await page.getByLabel(/Everything/).check();
    await page.getByLabel(/RIS \(Zotero/).check();
    const started = performance.now();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    const saved = path.join(dist, 'export.ris');
    await download.saveAs(saved);
    const exportSeconds = (performance.now() - started) / 1000;
    const records = readFileSync(saved, 'utf8').split('\r\nER  - \r\n').length - 1;
    if (imported !== DOCUMENTS || records !== DOCUMENTS) throw new Error(`page: imported ${imported}, exported ${records} RIS records`);
    await context.close();
    return {
      browser: `chromium ${browser.version()} (headless)`,
      documents: DOCUMENTS,
      import_seconds: round(importSeconds, 2),
      renderer_rss_before_mib: Math.round(before),
      renderer_rss_peak_mib: Math.round(peak),
      export_ris_seconds: round(exportSeconds, 2),
      export_ris_mb: round(statSync(saved).size / 2 ** 20, 2),
    };
  } finally {
    await browser.close();
    await browserServer.close();
    if (server.pid) process.kill(-server.pid, 'SIGTERM');
    rmSync(dist, { recursive: true, force: true });
  }
}

function timeExport(items: AnnotationRecord[], write: (items: AnnotationRecord[]) => string) {
  const times: number[] = [];
  let bytes = 0;
  for (let run = 0; run < EXPORT_RUNS; run++) {
    const started = performance.now();
    bytes = Buffer.byteLength(write(items));
    times.push(performance.now() - started);
  }
  return { ms: round(median(times)), bytes };
}

/** The same documents through bare JSON.parse: a yardstick that moves with the machine's load, for ratios. */
function referenceMs(docs: LabelwiseDocument[]): number {
  const lines = docs.map((doc) => JSON.stringify(doc));
  const times: number[] = [];
  for (let run = 0; run < EXPORT_RUNS; run++) {
    const started = performance.now();
    for (const line of lines) JSON.parse(line);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function main() {
  const loadBefore = os.loadavg()[0] as number;
  const docs = corpus();
  const reference = referenceMs(docs);
  const directory = mkdtempSync(path.join(os.tmpdir(), 'labelwise-bench-'));
  const imports = [];
  let page: Awaited<ReturnType<typeof pageFigures>> | null = null;
  try {
    for (const [format, write] of Object.entries(WRITERS)) {
      const file = path.join(directory, `abstracts.${format === 'pubmed-xml' ? 'xml' : format === 'medline' ? 'nbib' : format}`);
      writeFileSync(file, write(docs));
      const runs: ImportFigures[] = [];
      for (let run = 0; run < IMPORT_RUNS; run++) {
        const output = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--import-file', file], {
          cwd: root,
          encoding: 'utf8',
        });
        runs.push(JSON.parse(output) as ImportFigures);
      }
      if (runs.some((run) => run.documents !== DOCUMENTS))
        throw new Error(`${format}: expected ${DOCUMENTS} documents, got ${runs.map((run) => run.documents)}`);
      const bytes = statSync(file).size;
      const ms = median(runs.map((run) => run.ms));
      imports.push({
        format,
        documents: DOCUMENTS,
        file_mb: round(bytes / 2 ** 20, 2),
        ms: round(ms),
        x_json_parse: round(median(runs.map((run) => run.ms / run.referenceMs))),
        documents_per_s: Math.round(DOCUMENTS / (ms / 1000)),
        mb_per_s: round(bytes / 2 ** 20 / (ms / 1000)),
        peak_rss_mb: round(median(runs.map((run) => run.peakRssMB))),
        rss_before_import_mb: round(median(runs.map((run) => run.startRssMB))),
      });
      console.log(imports.at(-1));
      if (format === 'ris' && !process.argv.includes('--no-page')) {
        page = await pageFigures(file);
        console.log({ page_ris: page });
      }
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }

  const labelNames = [
    'Activating invasion and metastasis',
    'Avoiding immune destruction',
    'Cellular energetics',
    'Enabling replicative immortality',
    'Evading growth suppressors',
    'Genomic instability and mutation',
    'Inducing angiogenesis',
    'Resisting cell death',
    'Sustaining proliferative signaling',
    'Tumor promoting inflammation',
  ];
  const annotated = docs.map(
    (document, i): AnnotationRecord => ({
      document,
      status: i % 3 === 0 ? 'corrected' : 'accepted',
      labels: [labelNames[i % labelNames.length] as string],
      model: { id: 'hoc-minilm-lame', version: '1.0.0' },
      scores: Object.fromEntries(labelNames.map((name, j) => [name, ((i * 7 + j * 13) % 100) / 100])),
      annotator: 'bench',
      note: i % 10 === 0 ? 'checked twice' : '',
      createdAt: new Date(1_790_000_000_000 + i * 1000).toISOString(),
      updatedAt: new Date(1_790_000_000_000 + i * 2000).toISOString(),
    }),
  );
  const jsonl = timeExport(annotated, (items) => [...exportJsonl(items)].join(''));
  const csv = timeExport(annotated, (items) => [...exportCsv(items, { labelNames })].join(''));
  const ris = timeExport(annotated, (items) => [...exportRis(items)].join(''));
  // The export must import again: time that too, and check it.
  const exported = [...exportJsonl(annotated)].join('');
  const started = performance.now();
  const back = await importText(exported);
  const reimportMs = performance.now() - started;
  if (back.counts.imported !== DOCUMENTS) throw new Error(`re-import of the export: ${JSON.stringify(back.counts)}`);

  const results = {
    benchmark: 'import-export',
    command: 'npm run bench:import',
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    load_average_1m: { before: round(loadBefore, 2), after: round(os.loadavg()[0] as number, 2) },
    reference_json_parse_ms: round(reference),
    notes:
      "Import: median of 3 runs, each in a fresh Node process reading the file as a 64 KiB stream and keeping every document (peak RSS includes the Node + tsx runtime, see rss_before_import_mb). Texts are the HoC and MTC-5 training abstracts, cycled. Export: median of 5 runs over 10,000 annotated documents with 10 label scores each. x_json_parse: time over the time bare JSON.parse of the same 10,000 documents takes in the same process right after (peak RSS is read before it) (load_average_1m shows how busy the machine was). RIS records are in Zotero's shape (CRLF, PMID in N1, repeated AU/KW). page_ris: one run in the built app in headless Chromium, no model loaded: import = file chosen to the import report (parsed in the worker, stored in IndexedDB), peak renderer RSS sampled every 100 ms; export = Download click to the saved file, every document as RIS.",
    import: imports,
    page_ris: page,
    export: {
      documents: DOCUMENTS,
      jsonl_ms: jsonl.ms,
      jsonl_x_json_parse: round(jsonl.ms / reference),
      jsonl_mb: round(jsonl.bytes / 2 ** 20, 2),
      csv_ms: csv.ms,
      csv_x_json_parse: round(csv.ms / reference),
      csv_mb: round(csv.bytes / 2 ** 20, 2),
      ris_ms: ris.ms,
      ris_x_json_parse: round(ris.ms / reference),
      ris_mb: round(ris.bytes / 2 ** 20, 2),
      reimport_exported_jsonl_ms: round(reimportMs),
    },
  };
  writeFileSync(path.join(here, 'results/import-export.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(results.export);
}

const child = process.argv.indexOf('--import-file');
if (child !== -1) process.stdout.write(JSON.stringify(await importOnce(process.argv[child + 1] as string)));
else await main();
