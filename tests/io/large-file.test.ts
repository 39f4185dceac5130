import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDocuments } from '../../src/io';

const TARGET_BYTES = 50 * 1024 * 1024;
const directory = mkdtempSync(path.join(os.tmpdir(), 'labelwise-io-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A MEDLINE record of about 1.5 KB, with wrapped title and abstract as PubMed writes them. */
function medlineRecord(pmid: number): string {
  const words = `Record ${pmid} studies tumour angiogenesis and apoptosis in cell lines with repeated measurements`;
  const abstract = Array.from({ length: 14 }, () => words).join(' ');
  const wrapped = abstract.match(/.{1,76}(\s|$)/g)?.map((line) => line.trimEnd()) ?? [];
  return [
    `PMID- ${pmid}`,
    'OWN - NLM',
    'STAT- MEDLINE',
    `TI  - A generated title for record ${pmid} that is long enough that PubMed wraps`,
    '      it onto a continuation line.',
    `AB  - ${wrapped[0]}`,
    ...wrapped.slice(1).map((line) => `      ${line}`),
    'FAU - Doe, Jane',
    'AU  - Doe J',
    'MH  - Neoplasms',
    '',
    '',
  ].join('\n');
}

function writeLargeMedline(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  let records = 0;
  while (written < TARGET_BYTES) {
    let block = '';
    for (let i = 0; i < 500; i++) block += medlineRecord(10_000_000 + records++);
    written += writeSync(fd, block);
  }
  closeSync(fd);
  return records;
}

describe('a 50 MB MEDLINE file', () => {
  it('is read incrementally, with progress, in bounded memory', async () => {
    const file = path.join(directory, 'large.nbib');
    const records = writeLargeMedline(file);
    const totalBytes = statSync(file).size;
    expect(totalBytes).toBeGreaterThanOrEqual(TARGET_BYTES);

    const baseline = process.memoryUsage().heapUsed;
    let peakHeap = baseline;
    let batches = 0;
    let lastBytes = 0;
    let imported = 0;
    let lastPmid = '';
    for await (const batch of readDocuments({ chunks: createReadStream(file, { highWaterMark: 1 << 16 }), name: file, totalBytes })) {
      batches++;
      expect(batch.progress.bytesRead).toBeGreaterThanOrEqual(lastBytes);
      lastBytes = batch.progress.bytesRead;
      imported = batch.counts.imported;
      lastPmid = batch.documents.at(-1)?.pmid ?? lastPmid;
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      expect(batch.issues).toEqual([]);
    }
    expect(imported).toBe(records);
    expect(lastPmid).toBe(String(10_000_000 + records - 1));
    expect(lastBytes).toBe(totalBytes);
    // One batch per 64 KiB chunk: progress is reported all along, not once at the end.
    expect(batches).toBeGreaterThan(totalBytes / (1 << 16) - 2);
    // Holding the file (or its documents) would take well over its 50 MB; streaming stays far below.
    expect(peakHeap - baseline).toBeLessThan(totalBytes / 2);
  });
});
