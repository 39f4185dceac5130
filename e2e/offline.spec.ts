/**
 * Offline after one visit (issue #16): the service worker serves the app shell, chunks and ONNX Runtime with
 * COOP/COEP; the inference worker reads the model from Cache Storage. Runs on the production build.
 */
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { importPasted } from './annotate-helpers';
import { classifyText, devText, exampleText, modelId, openApp } from './classify-helpers';

/** First visit: the model loaded and the service worker installed and controlling the page. */
async function visitOnce(page: Page): Promise<void> {
  await openApp(page, { backend: 'wasm', precision: 'int8' });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

test('after one visit: offline reload, classify, switch to Annotate, annotate and export', async ({ page, context }) => {
  test.setTimeout(300_000);
  await visitOnce(page);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
  // Served by the service worker, the page keeps cross-origin isolation, so WASM keeps its threads.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);

  await classifyText(page, exampleText('hoc-dev-0007'));
  await expect(page.getByTestId('results')).toBeVisible({ timeout: 120_000 });

  await page.getByRole('button', { name: 'Annotate', exact: true }).click();
  await expect(page.getByTestId('annotate-view')).toBeVisible();
  await importPasted(page, JSON.stringify({ id: 'off-1', text: 'VEGF drives tumour angiogenesis.' }), 1);
  await expect(page.getByTestId('batch-progress')).toContainText(' 0 new', { timeout: 150_000 });

  await page.locator('.aw-row').first().click();
  await page.getByTestId('batch-progress').click();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('batch-progress')).toContainText('1 of 1 reviewed');

  await page.getByTestId('open-export').click();
  await page.getByLabel(/Everything/).check();
  await page.getByLabel(/JSON Lines/).check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  const record = JSON.parse(readFileSync(await download.path(), 'utf8').trim()) as { id: string; status: string };
  expect(record).toMatchObject({ id: 'off-1', status: 'accepted' });
});

test('offline, an abstract that needs the recheck shows the int8 result marked not rechecked; online again it is rechecked', async ({
  page,
  context,
}) => {
  test.setTimeout(300_000);
  test.skip(modelId !== 'hoc-minilm-lame', 'needs a model with a borderline graph');
  await visitOnce(page);
  const offline = page.getByTestId('model-offline');
  await expect(offline).toHaveAttribute('data-available', 'false');
  await expect(offline).toContainText('model.fp16.onnx');

  await context.setOffline(true);
  const text = devText('hoc-dev-0083');
  await classifyText(page, text);
  const results = page.getByTestId('results');
  await expect(results).toHaveAttribute('data-recheck', 'unavailable', { timeout: 120_000 });
  await expect(results.getByTestId('not-rechecked')).toBeVisible();
  await expect(page.getByTestId('label-row').first()).toBeVisible();

  await context.setOffline(false);
  await classifyText(page, `${text} `);
  await expect(results).toHaveAttribute('data-recheck', 'done', { timeout: 120_000 });

  // Ahead of time: every graph stored, then the page says so.
  await page.getByTestId('make-offline').click();
  await expect(offline).toHaveAttribute('data-available', 'true', { timeout: 120_000 });
});

test.describe('without a service worker', () => {
  test.use({ serviceWorkers: 'block' });

  test('a view whose chunk cannot be loaded shows a message, not an empty page', async ({ page }) => {
    await page.route(/\/assets\/AnnotateView-[^/]*\.js$/, (route) => route.abort('internetdisconnected'));
    await page.goto('/?backend=wasm');
    await page.getByRole('button', { name: 'Annotate', exact: true }).click();
    await expect(page.getByTestId('view-load-error')).toBeVisible();
    await expect(page.getByTestId('view-load-error')).toContainText('could not be loaded');
  });
});
