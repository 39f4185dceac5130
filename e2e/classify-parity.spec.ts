/**
 * The page classifies a HoC dev abstract exactly like the CLI (same core, onnxruntime-node): labels, scores and
 * every heatmap word weight within 1e-3. Runs once per Playwright project: WASM, and WebGPU (software adapter).
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { exampleAbstracts } from '../src/ui/classify/examples';
import { classifyText, heatmapWeights, modelDir, openApp, readModelJson } from './classify-helpers';

interface CliLine {
  labels: string[];
  scores: Record<string, number>;
  attention: Record<string, [number, number, number][]>;
}

function runCli(text: string, precision: string): CliLine {
  const cli = spawnSync(
    'node',
    ['bin/labelwise.mjs', 'classify', '--model', modelDir, '--attention', '--precision', precision, '--threads', '1'],
    { input: `${JSON.stringify({ id: 'e2e', text })}\n`, encoding: 'utf8', timeout: 120_000 },
  );
  expect(cli.status, cli.stderr).toBe(0);
  return JSON.parse(cli.stdout.trim()) as CliLine;
}

const tolerance = 1e-3;

test('a HoC dev abstract gets the same labels, scores and word weights as the CLI', async ({ page }, testInfo) => {
  const backend = testInfo.project.metadata.backend as 'wasm' | 'webgpu';
  const requests: string[] = [];
  page.context().on('request', (request) => requests.push(request.url()));

  await openApp(page, { backend });
  const header = page.locator('header').getByTestId('backend-badge');
  await expect(header).toHaveAttribute('data-backend', backend);
  if (backend === 'wasm') {
    // The preview server sends COOP/COEP, so WASM runs with one thread per core.
    const cores = await page.evaluate(() => (crossOriginIsolated ? navigator.hardwareConcurrency : 0));
    await expect(header).toHaveAttribute('data-threads', String(cores));
  }

  const example = exampleAbstracts.find((candidate) => candidate.id === 'hoc-dev-0007');
  if (!example) throw new Error('example hoc-dev-0007 missing');
  await classifyText(page, example.text);
  const results = page.getByTestId('results');
  await expect(results).toBeVisible({ timeout: 120_000 });
  await expect(results.getByTestId('backend-badge')).toHaveAttribute('data-backend', backend);

  // The CLI runs the same graph file the page ran.
  const graph = await page.getByTestId('model-ready').getAttribute('data-graph');
  const precision = Object.entries(readModelJson().files).find(([, file]) => file === graph)?.[0];
  expect(precision, `graph ${graph} is not listed in model.json`).toBeDefined();
  const cli = runCli(example.text, precision as string);

  const rows = await page.getByTestId('label-row').evaluateAll((elements) =>
    elements.map((row) => {
      const data = (row as HTMLElement).dataset;
      return { name: data.label ?? '', probability: Number(data.probability), predicted: data.predicted === 'true' };
    }),
  );
  expect(rows.map((row) => row.name)).toEqual(Object.keys(cli.scores));
  expect(rows.filter((row) => row.predicted).map((row) => row.name)).toEqual(cli.labels);
  for (const row of rows) expect(Math.abs(row.probability - (cli.scores[row.name] ?? Number.NaN))).toBeLessThan(tolerance);

  for (const row of rows) {
    await page.locator(`[data-testid="label-row"][data-label="${row.name}"] button.label-name`).click();
    const words = await heatmapWeights(page, row.name);
    const expected = cli.attention[row.name] ?? [];
    expect(words.map(([start, end]) => [start, end])).toEqual(expected.map(([start, end]) => [start, end]));
    words.forEach(([, , weight], index) => {
      expect(Math.abs(weight - (expected[index]?.[2] ?? Number.NaN))).toBeLessThan(tolerance);
    });
  }

  // Two labels side by side: the first predicted one and the most probable other one.
  const [first, second] = [...rows].sort((a, b) => b.probability - a.probability);
  if (first && second) {
    await page.locator(`[data-testid="label-row"][data-label="${first.name}"] button.label-name`).click();
    await page.getByRole('checkbox', { name: `Compare ${second.name}` }).check();
    await expect(page.getByTestId('heatmap')).toHaveCount(2);
  }
  const screenshot = testInfo.outputPath(`heatmap-${backend}.png`);
  await page.locator('.heatmaps').screenshot({ path: screenshot });
  await testInfo.attach(`heatmap-${backend}`, { path: screenshot, contentType: 'image/png' });

  // Every request, the worker's model downloads included, stayed on 127.0.0.1.
  expect(requests.some((url) => url.endsWith('.onnx'))).toBe(true);
  const remote = requests.filter((url) => /^(https?|wss?):/.test(url) && new URL(url).hostname !== '127.0.0.1');
  expect(remote).toEqual([]);
});
