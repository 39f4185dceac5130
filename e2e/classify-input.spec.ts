/** Bad and unusual input on the classify page: empty, HTML/script, binary, very long; and model files gone wrong. */
import { expect, test } from '@playwright/test';
import { exampleAbstracts } from '../src/ui/classify/examples';
import { classifyText, heatmapWeights, modelId, openApp } from './classify-helpers';

const abstract = exampleAbstracts.find((example) => example.dataset === 'hoc')?.text ?? '';

test('empty text: Classify is disabled with a hint', async ({ page }) => {
  await openApp(page, { backend: 'wasm' });
  await page.getByTestId('text-input').fill('   \n ');
  await expect(page.getByTestId('classify-button')).toBeDisabled();
  await expect(page.getByTestId('classify-hint')).toContainText('Paste or type a text');
  await page.getByTestId('text-input').fill('Tumour cells resist apoptosis.');
  await expect(page.getByTestId('classify-button')).toBeEnabled();
});

test('HTML and script in the text are shown as text and never run', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
  let dialogs = 0;
  page.on('dialog', async (dialog) => {
    dialogs += 1;
    await dialog.dismiss();
  });
  await openApp(page, { backend: 'wasm' });
  const hostile =
    'Tumour cells <img src=x onerror="window.__pwned = 1; alert(1)"><script>window.__pwned = 2; alert(2)</script> resist apoptosis.';
  await classifyText(page, hostile);
  await expect(page.getByTestId('results')).toBeVisible();

  const heatmap = page.getByTestId('heatmap').first();
  await expect(heatmap.locator('.heatmap-text')).toHaveText(hostile);
  await expect(page.locator('[data-testid="results"] img, [data-testid="results"] script')).toHaveCount(0);
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toBe(0);
  expect(requests).not.toContain('/x');
});

test('binary data is refused with a message; non-English text is classified', async ({ page }) => {
  await openApp(page, { backend: 'wasm' });
  const binary = Array.from({ length: 400 }, (_, index) => String.fromCharCode(index % 32)).join('');
  await classifyText(page, binary);
  await expect(page.getByTestId('refused')).toContainText('binary data');

  await classifyText(page, '数据分析 данные анализ ☃☃ 🧬🧬 ∑∫≠ عربى ÆØÅ ṩ̃');
  await expect(page.getByTestId('results')).toBeVisible();
  await expect(page.getByTestId('label-row').first()).toBeVisible();
});

test('a text of several windows is classified whole: every word has a weight', async ({ page }) => {
  await openApp(page, { backend: 'wasm' });
  const text = Array.from({ length: 4 }, () => abstract).join('\n\n');
  await classifyText(page, text);
  const results = page.getByTestId('results');
  await expect(results).toBeVisible({ timeout: 120_000 });
  expect(Number(await results.getAttribute('data-windows'))).toBeGreaterThan(1);
  const label = await page.locator('[data-testid="heatmap"]').first().getAttribute('data-label');
  const words = await heatmapWeights(page, label ?? '');
  expect(words.at(-1)?.[1]).toBe(text.trimEnd().length);
  const total = words.reduce((sum, [, , weight]) => sum + weight, 0);
  expect(Math.abs(total - 1)).toBeLessThan(1e-6);
  expect(words.every(([, , weight]) => weight >= 0)).toBe(true);
});

test('100,000+ characters: progress by window, the page stays responsive, Cancel stops the run', async ({ page }) => {
  await openApp(page, { backend: 'wasm' });
  let text = '';
  while (text.length < 100_000) text += `${abstract}\n\n`;
  await classifyText(page, text);
  const progress = page.getByTestId('run-progress');
  await expect(progress).toContainText(/Window [2-9]\d* of \d+/, { timeout: 120_000 });

  // While the worker computes, the main thread answers at once and the textarea still takes input.
  const lag = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const start = performance.now();
        setTimeout(() => resolve(performance.now() - start), 0);
      }),
  );
  expect(lag).toBeLessThan(250);
  await page.getByTestId('text-input').press('End');
  await page.getByTestId('text-input').pressSequentially(' typed');
  await expect(page.getByTestId('text-input')).toHaveValue(/ typed$/);

  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('cancelled')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('classify-button')).toBeEnabled();
});

test('a second visit reads the model from Cache Storage, not the network', async ({ page }) => {
  await openApp(page, { backend: 'wasm' });
  expect(Number(await page.getByTestId('model-ready').getAttribute('data-downloaded-bytes'))).toBeGreaterThan(0);
  const modelRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes(`/models/${modelId}/`)) modelRequests.push(request.url());
  });
  await page.reload();
  const ready = page.getByTestId('model-ready');
  await expect(ready).toBeVisible({ timeout: 120_000 });
  await expect(ready).toContainText('from cache');
  expect(Number(await ready.getAttribute('data-downloaded-bytes'))).toBe(0);
  expect(modelRequests).toEqual([]);
});

test('a missing model file gives an error naming the file', async ({ page }) => {
  await page.route(`**/models/${modelId}/tokenizer.json`, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(`/?model=${modelId}&backend=wasm`);
  await expect(page.getByTestId('model-error')).toContainText('tokenizer.json', { timeout: 120_000 });
});

test('a corrupt graph gives an error naming the file', async ({ page }) => {
  const index = (await (await page.request.get('/models/index.json')).json()) as {
    models: { id: string; files: Record<string, number> }[];
  };
  const size = index.models.find((model) => model.id === modelId)?.files['model.int8.onnx'] ?? 0;
  await page.route(`**/models/${modelId}/model.int8.onnx`, (route) =>
    route.fulfill({ status: 200, body: Buffer.alloc(size, 7), contentType: 'application/octet-stream' }),
  );
  await page.goto(`/?model=${modelId}&backend=wasm`);
  await expect(page.getByTestId('model-error')).toContainText('model.int8.onnx', { timeout: 120_000 });
});

test('every shipped model loads in the page and classifies one of its examples', async ({ page }) => {
  const index = (await (await page.request.get('/models/index.json')).json()) as { models: { id: string; task: string }[] };
  const datasets: Record<string, string> = { 'hoc-minilm-lame': 'hoc', 'mtc5-minilm-lame': 'mtc5' };
  expect(index.models.map((model) => model.id).sort()).toEqual(Object.keys(datasets).sort());
  for (const model of index.models) {
    const example = exampleAbstracts.find((candidate) => candidate.dataset === datasets[model.id]);
    await page.goto(`/?${new URLSearchParams({ model: model.id, backend: 'wasm' })}`);
    await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
    await classifyText(page, example?.text ?? '');
    await expect(page.getByTestId('results')).toBeVisible({ timeout: 60_000 });
    const predicted = page.locator('[data-testid="label-row"][data-predicted="true"]');
    if (model.task === 'single_label') await expect(predicted).toHaveCount(1);
    else expect(await predicted.count()).toBeGreaterThan(0);
  }
});
