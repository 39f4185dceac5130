/**
 * The page classifies a HoC dev abstract exactly like the CLI (same core, onnxruntime-node): labels, scores and
 * every heatmap word weight within 1e-3: on WebGPU (software adapter; the abstract's first 60 words, so the run takes
 * seconds), and on WASM (whole abstracts) with the fp16, fp32 and int8 graphs.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import type { Precision } from '../src/core';
import {
  classifyText,
  devText,
  exampleText,
  heatmapWeights,
  modelDir,
  modelId,
  openApp,
  readModelJson,
  runCli,
  shortText,
} from './classify-helpers';

const tolerance = 1e-3;

interface ParityCase {
  backend: 'wasm' | 'webgpu';
  /** Forces the graph; otherwise the backend's default one. */
  precision?: Precision;
  /** Allowed score and word-weight differences: 1e-3, except int8 (see the int8 test). */
  scoreTolerance: number;
  weightTolerance: number;
  /** The abstract to classify (default: the built-in example hoc-dev-0007) and whether the page must rescore it. */
  text?: string;
  rechecked?: boolean;
  /** The folder whose graph the CLI runs (default: the model under test's). */
  cliFolder?: string;
}

async function checkParity(page: Page, testInfo: TestInfo, parity: ParityCase): Promise<void> {
  const { backend } = parity;
  const requests: string[] = [];
  // The page's and worker's own requests; the service worker's precache fetches are left out of `runtimes` below.
  const pageRequests: string[] = [];
  page.context().on('request', (request) => {
    requests.push(request.url());
    if (!request.serviceWorker()) pageRequests.push(request.url());
  });

  await openApp(page, parity.precision ? { backend, precision: parity.precision } : { backend });
  const header = page.locator('header').getByTestId('backend-badge');
  await expect(header).toHaveAttribute('data-backend', backend);
  if (backend === 'wasm') {
    // The preview server sends COOP/COEP, so WASM runs with one thread per core.
    const cores = await page.evaluate(() => (crossOriginIsolated ? navigator.hardwareConcurrency : 0));
    await expect(header).toHaveAttribute('data-threads', String(cores));
  }

  const text = parity.text ?? exampleText('hoc-dev-0007');
  await classifyText(page, text);
  const results = page.getByTestId('results');
  await expect(results).toBeVisible({ timeout: 120_000 });
  await expect(results).toHaveAttribute('data-rechecked', String(parity.rechecked ?? false));
  await expect(results.getByTestId('backend-badge')).toHaveAttribute('data-backend', backend);

  // The CLI runs the same graph file the page ran.
  const graph = await page.getByTestId('model-ready').getAttribute('data-graph');
  const precision = Object.entries(readModelJson().files).find(([, file]) => file === graph)?.[0];
  expect(precision, `graph ${graph} is not listed in model.json`).toBeDefined();
  const cli = runCli(text, precision as string, parity.cliFolder);

  const rows = await page.getByTestId('label-row').evaluateAll((elements) =>
    elements.map((row) => {
      const data = (row as HTMLElement).dataset;
      return { name: data.label ?? '', probability: Number(data.probability), predicted: data.predicted === 'true' };
    }),
  );
  expect(rows.map((row) => row.name)).toEqual(Object.keys(cli.scores));
  expect(rows.filter((row) => row.predicted).map((row) => row.name)).toEqual(cli.labels);
  for (const row of rows) expect(Math.abs(row.probability - (cli.scores[row.name] ?? Number.NaN))).toBeLessThan(parity.scoreTolerance);

  for (const row of rows) {
    await page.locator(`[data-testid="label-row"][data-label="${row.name}"] button.label-name`).click();
    const words = await heatmapWeights(page, row.name);
    const expected = cli.attention[row.name] ?? [];
    expect(words.map(([start, end]) => [start, end])).toEqual(expected.map(([start, end]) => [start, end]));
    words.forEach(([, , weight], index) => {
      expect(Math.abs(weight - (expected[index]?.[2] ?? Number.NaN))).toBeLessThan(parity.weightTolerance);
    });
  }

  // Two labels side by side: the first predicted one and the most probable other one.
  const [first, second] = [...rows].sort((a, b) => b.probability - a.probability);
  if (first && second) {
    await page.locator(`[data-testid="label-row"][data-label="${first.name}"] button.label-name`).click();
    await page.getByRole('checkbox', { name: `Compare ${second.name}` }).check();
    await expect(page.getByTestId('heatmap')).toHaveCount(2);
  }
  const name = `heatmap-${backend}-${graph?.replace(/\W+/g, '-')}`;
  const screenshot = testInfo.outputPath(`${name}.png`);
  await page.locator('.heatmaps').screenshot({ path: screenshot });
  await testInfo.attach(name, { path: screenshot, contentType: 'image/png' });

  // WASM runs on the plain runtime, WebGPU on the JSEP build; neither page fetches the other's.
  // A page request answered through the service worker is seen again as the worker's fetch: compare the set.
  const runtimes = [...new Set(pageRequests.filter((url) => url.endsWith('.wasm')).map((url) => new URL(url).pathname))];
  expect(runtimes).toEqual([backend === 'wasm' ? '/ort/ort-wasm-simd-threaded.wasm' : '/ort/ort-wasm-simd-threaded.jsep.wasm']);

  // Every request, the worker's model downloads included, stayed on 127.0.0.1.
  expect(requests.some((url) => url.endsWith('.onnx'))).toBe(true);
  const remote = requests.filter((url) => /^(https?|wss?):/.test(url) && new URL(url).hostname !== '127.0.0.1');
  expect(remote).toEqual([]);
}

test('WebGPU: a HoC dev abstract gets the same labels, scores and word weights as the CLI', async ({ page }, testInfo) => {
  test.skip(testInfo.project.metadata.backend !== 'webgpu', 'runs in the webgpu project');
  await checkParity(page, testInfo, {
    backend: 'webgpu',
    scoreTolerance: tolerance,
    weightTolerance: tolerance,
    text: shortText(exampleText('hoc-dev-0007')),
  });
});

test('WASM, fp16-weight graph: same labels, scores and word weights as the CLI', async ({ page }, testInfo) => {
  test.skip(testInfo.project.metadata.backend !== 'wasm', 'runs in the wasm project');
  test.skip(!('fp16' in readModelJson().files), 'the model ships no fp16 graph');
  await checkParity(page, testInfo, { backend: 'wasm', precision: 'fp16', scoreTolerance: tolerance, weightTolerance: tolerance });
});

/**
 * The fp32 graph: model.onnx where the model was rebuilt here (`make models`); on a fresh clone, which lacks it, one
 * built from the committed fp16-weight graph with every weight cast to fp32 (e2e/fp32_graph.py), that the page gets
 * as its model.onnx and the CLI reads from a scratch copy of the folder.
 */
function fp32Folder(): string {
  if (existsSync(`${modelDir}/model.onnx`)) return modelDir;
  const folder = `.cache/e2e/${modelId}-fp32`;
  const source = `${modelDir}/${readModelJson().files.fp16}`;
  const graph = `${folder}/model.onnx`;
  mkdirSync(folder, { recursive: true });
  for (const file of ['model.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(`${modelDir}/${file}`, `${folder}/${file}`);
  if (!existsSync(graph) || statSync(graph).mtimeMs < statSync(source).mtimeMs) {
    const build = spawnSync('.venv/bin/python', ['e2e/fp32_graph.py', source, graph], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
  }
  return folder;
}

test('WASM, fp32 graph: same labels, scores and word weights as the CLI', async ({ page }, testInfo) => {
  test.skip(testInfo.project.metadata.backend !== 'wasm', 'runs in the wasm project');
  test.skip(
    !('fp16' in readModelJson().files) && !existsSync(`${modelDir}/model.onnx`),
    'no fp32 graph and no fp16 graph to build one from',
  );
  const folder = fp32Folder();
  if (folder !== modelDir) {
    const graph = `${folder}/model.onnx`;
    // The preview serves the folder as built, without model.onnx: the page's index lists it and the graph comes from here.
    await page.route('**/models/index.json', async (route) => {
      const response = await route.fetch();
      const index = (await response.json()) as { models: { id: string; files: Record<string, number> }[] };
      for (const model of index.models) if (model.id === modelId) model.files['model.onnx'] = statSync(graph).size;
      await route.fulfill({ response, json: index });
    });
    await page.route(`**/models/${modelId}/model.onnx`, (route) =>
      route.fulfill({ status: 200, body: readFileSync(graph), contentType: 'application/octet-stream' }),
    );
  }
  await checkParity(page, testInfo, {
    backend: 'wasm',
    precision: 'fp32',
    scoreTolerance: tolerance,
    weightTolerance: tolerance,
    cliFolder: folder,
  });
});

/**
 * The int8 graph's dynamically quantized kernels are not bit-identical between onnxruntime-node and onnxruntime-web's
 * WASM build (and onnxruntime-node picks other kernels on AVX-512 than on AVX2). The shipped HoC model's attention is
 * trained onto the evidence sentences and so peaks on few words, where quantization error shows most: on the built-in
 * HoC examples the int8 graph is up to 0.08 from fp32 in probability and in word weight (CLI, model 1.3.0), and the two
 * int8 runtimes were up to 4.2e-2 and 8.8e-2 from each other (model 1.2.0), with the same labels; 1.4.0's per-token
 * graph is up to 0.053 apart between them in probability over HoC dev (bench:agreement). So the int8 run is
 * held to the CLI's labels (every score on this abstract is 0.16 or more from its threshold) and word spans exactly,
 * to 3e-2 on scores and 0.1 on word weights, which still catches a shifted window or a swapped label (their peaks
 * move by whole weights). The float graphs are held to 1e-3 above.
 */
test('WASM, int8 graph (the default): same labels and words as the CLI, scores within 3e-2', async ({ page }, testInfo) => {
  test.skip(testInfo.project.metadata.backend !== 'wasm', 'runs in the wasm project');
  await checkParity(page, testInfo, { backend: 'wasm', precision: 'int8', scoreTolerance: 3e-2, weightTolerance: 0.1 });
});

/**
 * hoc-dev-0083 lies 0.0016 from a threshold in fp32, closer than 8-bit activations can resolve: the int8 graph's
 * scores there come within model.json's borderline margin, so the page (like the CLI) scores it again with the
 * fp16-weight graph, and the two agree as the float graphs do.
 */
test('WASM, int8 graph: an abstract near a threshold is rescored with fp16 weights, as by the CLI', async ({ page }, testInfo) => {
  test.skip(testInfo.project.metadata.backend !== 'wasm', 'runs in the wasm project');
  const manifest = readModelJson() as ReturnType<typeof readModelJson> & { borderline?: unknown };
  test.skip(manifest.borderline === undefined, 'the model under test names no borderline graph');
  const text = devText('hoc-dev-0083');
  await checkParity(page, testInfo, {
    backend: 'wasm',
    precision: 'int8',
    scoreTolerance: tolerance,
    weightTolerance: tolerance,
    text,
    rechecked: true,
  });
});
