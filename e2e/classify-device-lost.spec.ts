/**
 * A WebGPU device that is lost after the model loaded: the next run is redone on WASM, its results match the CLI,
 * and the page says why. The device is really destroyed (GPUDevice.destroy() inside the inference worker), through a
 * few lines this test prepends to the worker script as the preview server sends it; the app itself is unchanged.
 */
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { exampleAbstracts } from '../src/ui/classify/examples';
import { classifyText, exampleText, openApp, runCli, shortText } from './classify-helpers';

/** Keeps the worker's WebGPU device and destroys it when the page posts `{ labelwiseTest: 'destroy-device' }`. */
const destroyOnRequest = `{
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    self.addEventListener('message', (event) => {
      if (event.data?.labelwiseTest === 'destroy-device') device.destroy();
    });
    return device;
  };
}
`;

async function openWithDestroyableDevice(page: Page, context: BrowserContext): Promise<void> {
  await context.route(/\/assets\/inference\.worker-[\w-]+\.js$/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: destroyOnRequest + (await response.text()) });
  });
  // Keeps a handle on the page's workers so the test can post to the inference worker.
  await page.addInitScript(() => {
    const NativeWorker = window.Worker;
    const workers: Worker[] = [];
    (window as unknown as { labelwiseWorkers: Worker[] }).labelwiseWorkers = workers;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        workers.push(this);
      }
    };
  });

  await openApp(page); // no backend forced: WebGPU first, WASM as the fallback
  await expect(page.locator('header').getByTestId('backend-badge')).toHaveAttribute('data-backend', 'webgpu');
}

async function destroyDevice(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const worker of (window as unknown as { labelwiseWorkers: Worker[] }).labelwiseWorkers) {
      worker.postMessage({ labelwiseTest: 'destroy-device' });
    }
  });
}

/** The results came from WASM, say why, and carry the CLI's labels for the int8 graph WASM runs by default. */
async function expectWasmRerun(page: Page, text: string): Promise<void> {
  const results = page.getByTestId('results');
  await expect(results).toBeVisible({ timeout: 240_000 });
  await expect(results.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await expect(results.getByTestId('backend-badge')).toHaveAttribute('title', /Graph: model\.int8\.onnx/);
  await expect(results.locator('.run-note')).toContainText('WebGPU device lost');
  const expected = runCli(text, 'int8').labels;
  const predicted = await page
    .locator('[data-testid="label-row"][data-predicted="true"]')
    .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.label));
  expect(predicted).toEqual(expected);
}

test.beforeEach(({ page: _page }, testInfo) => {
  test.skip(testInfo.project.metadata.backend !== 'webgpu', 'runs in the webgpu project');
});

test('WebGPU device lost between runs: the next run goes to WASM and the page says so', async ({ page, context }) => {
  await openWithDestroyableDevice(page, context);
  await destroyDevice(page);
  const text = shortText(exampleText('hoc-dev-0007'));
  await classifyText(page, text);
  await expectWasmRerun(page, text);
});

test('WebGPU device lost during a run: the run is redone on WASM instead of hanging', async ({ page, context }) => {
  await openWithDestroyableDevice(page, context);
  // Six abstracts in one text: several windows, so the run lasts long enough to lose the device under it.
  const text = Array.from({ length: 6 }, (_, index) => exampleAbstracts[index % exampleAbstracts.length]?.text ?? '').join('\n\n');
  await classifyText(page, text);
  await expect(page.getByTestId('run-progress')).toBeVisible();
  // On the software adapter a window takes seconds: a second in, the run is on the GPU.
  await page.waitForTimeout(1000);
  await destroyDevice(page);
  await expectWasmRerun(page, text);
  // The lost run held ONNX Runtime, so the page replaced the worker by one on WASM and ran the text again there.
  await expect(page.getByTestId('results').locator('.run-note')).toContainText('during a run');
});
