/** Pieces the browser benchmarks share: renderer memory from /proc (Linux), an import through the import dialog. */
import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of the browser's renderer processes (the page and its workers), in MiB. */
export function rendererRssMiB(browserPid) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('--type=renderer')) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const parent = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      if (parent !== browserPid && !isDescendant(parent, browserPid)) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

function isDescendant(pid, ancestor) {
  for (let current = pid, depth = 0; current > 1 && depth < 8; depth++) {
    if (current === ancestor) return true;
    try {
      current = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${current}/status`, 'utf8'))?.[1]);
    } catch {
      return false;
    }
  }
  return false;
}

/** Runs `action` while sampling the renderers' memory every 100 ms: its result, with the memory before and at peak. */
export async function withPeakRendererRss(browserPid, action) {
  const before = rendererRssMiB(browserPid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rendererRssMiB(browserPid));
  }, 100);
  try {
    const result = await action();
    return { result, rssBeforeMiB: before, rssPeakMiB: Math.max(peak, rendererRssMiB(browserPid)) };
  } finally {
    clearInterval(sampler);
  }
}

/** Imports a file through the annotation view's import dialog: seconds to the report, documents imported, renderer memory. */
export async function importThroughDialog(page, file, browserPid) {
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-file').setInputFiles(file);
  const started = performance.now();
  const { rssBeforeMiB, rssPeakMiB } = await withPeakRendererRss(browserPid, async () => {
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-report').waitFor({ timeout: 600_000 });
  });
  const seconds = (performance.now() - started) / 1000;
  const imported = Number(await page.getByTestId('import-imported').textContent());
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  return { seconds, imported, rssBeforeMiB, rssPeakMiB };
}
