/**
 * A taught model folder (what Teach's Export model zips, here written by `labelwise simulate --export`) shipped the
 * documented way, a folder of the served models listed in models/index.json, opens in the model picker and gives
 * the CLI's scores and heatmaps. The preview server serves the build (dist/), so the folder goes into dist/models and
 * the index is rewritten there by the same writer the build runs on public/models.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { writeModelIndex } from '../scripts/models-index';
import { folderReader } from '../src/cli/testing';
import { type Classification, openModelFolder, ortSessionFactory } from '../src/core';
import { openEncoderSession } from '../src/core/learner';
import { classifyText, heatmapWeights, runCli } from './classify-helpers';

const MODEL_ID = 'zz-taught-e2e';
const servedModels = 'dist/models';
const servedFolder = join(servedModels, MODEL_ID);

const SCHEME = {
  task: 'multi_label',
  labels: [
    { name: 'Mouse', description: 'Experiments on mice or other animal models.' },
    { name: 'Trial', description: 'A randomised controlled trial in patients.' },
  ],
};
const DOCS = [
  { id: 't1', text: 'Patients were randomised to aspirin or placebo. The trial enrolled adults with angina.', labels: ['Trial'] },
  { id: 'm1', text: 'Knockout mice lacking the gene developed heart failure. Mouse hearts were enlarged.', labels: ['Mouse'] },
  { id: 't2', text: 'A randomised controlled trial of statins in patients. Adults were assigned to treatment groups.', labels: ['Trial'] },
  { id: 'm2', text: 'Transgenic mice showed cardiac hypertrophy. The mouse model mimics human disease.', labels: ['Mouse'] },
];
/** Not one of the taught documents; three sentences, so the sentence attention has something to choose. */
const TEXT = 'Mice lacking the receptor had enlarged hearts. The study had no patients. Mouse aortas were stained and measured.';

test.use({ serviceWorkers: 'block' });

/** The folder on the core path in Node, on onnxruntime-web's WASM build: the kernels the page runs. */
async function wasmReference(folder: string, text: string): Promise<Classification> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' } as const;
  const { classifier } = await openModelFolder(folderReader(folder), 'int8', {
    openSession: ortSessionFactory(ort as never, options),
    openEncoder: (graph) => openEncoderSession(ort as never, graph, options),
  });
  try {
    return await classifier.classify(text);
  } finally {
    await classifier.dispose();
  }
}

let folder = '';

test.beforeAll(() => {
  const scratch = mkdtempSync(join(tmpdir(), 'taught-e2e-'));
  writeFileSync(join(scratch, 'scheme.json'), JSON.stringify(SCHEME));
  writeFileSync(join(scratch, 'data.jsonl'), `${DOCS.map((doc) => JSON.stringify(doc)).join('\n')}\n`);
  folder = join(scratch, MODEL_ID);
  execFileSync(
    'node',
    ['bin/labelwise.mjs', 'simulate', '--data', join(scratch, 'data.jsonl'), '--scheme', join(scratch, 'scheme.json')].concat([
      '--export',
      folder,
      '--cache',
      '',
      '--threads',
      '1',
    ]),
    { encoding: 'utf8', timeout: 170_000 },
  );
  rmSync(servedFolder, { recursive: true, force: true });
  cpSync(folder, servedFolder, { recursive: true });
  writeModelIndex(servedModels);
});

test.afterAll(() => {
  rmSync(servedFolder, { recursive: true, force: true });
  writeModelIndex(servedModels);
});

test('a taught folder opens in the model picker and gives the CLI scores and heatmaps', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm');
  const picker = page.getByTestId('model-picker');
  await expect(picker.locator(`option[value="${MODEL_ID}"]`)).toContainText('2 labels · multi-label · taught');
  await picker.selectOption(MODEL_ID);
  const ready = page.getByTestId('model-ready');
  // Its one graph is the encoder's int8 graph, on WASM: no fp16/fp32 graph to offer, no borderline graph.
  await expect(ready).toHaveAttribute('data-graph', 'encoder.int8.onnx', { timeout: 150_000 });
  await expect(page.getByTestId('model-offline')).toHaveAttribute('data-available', 'true');

  await classifyText(page, TEXT);
  const results = page.getByTestId('results');
  await expect(results).toBeVisible({ timeout: 120_000 });
  await expect(results).toHaveAttribute('data-recheck', 'not-needed');
  await expect(results).toContainText('3 sentences');
  const rows = await page.getByTestId('label-row').evaluateAll((elements) =>
    elements.map((row) => ({
      name: row.getAttribute('data-label') ?? '',
      probability: Number(row.getAttribute('data-probability')),
      predicted: row.getAttribute('data-predicted') === 'true',
    })),
  );
  const cli = runCli(TEXT, 'int8', folder);
  const wasm = await wasmReference(folder, TEXT);
  expect(rows.map((row) => row.name)).toEqual(SCHEME.labels.map((label) => label.name));
  const gap = (reference: Classification['scores']) =>
    Math.max(...rows.map((row) => Math.abs(row.probability - (reference[row.name] as number))));
  const [wasmGap, cliGap] = [gap(wasm.scores), gap(cli.scores)];

  const heatGaps = { wasm: 0, cli: 0 };
  for (const { name } of rows) {
    await page.locator(`[data-testid="label-row"][data-label="${name}"] button.label-name`).click();
    const heatmap = page.locator(`[data-testid="heatmap"][data-label="${name}"]`);
    await expect(heatmap.getByTestId('heatmap-note')).toContainText('attention over sentences');
    const words = await heatmapWeights(page, name);
    expect(words.reduce((sum, [, , weight]) => sum + weight, 0)).toBeCloseTo(1, 6);
    for (const [key, reference] of [
      ['wasm', wasm.attention[name] ?? []],
      ['cli', cli.attention[name] ?? []],
    ] as const) {
      expect(words.map(([start, end]) => [start, end])).toEqual(reference.map(([start, end]) => [start, end]));
      heatGaps[key] = Math.max(heatGaps[key], ...words.map(([, , weight], i) => Math.abs(weight - (reference[i]?.[2] as number))));
    }
  }
  console.log(
    `taught folder, page vs the core path on WASM in Node: scores ${wasmGap.toExponential(2)}, word weights ${heatGaps.wasm.toExponential(2)}; ` +
      `page vs labelwise classify: scores ${cliGap.toExponential(2)}, word weights ${heatGaps.cli.toExponential(2)}`,
  );
  // The page runs the folder exactly as the core does on the same kernels: Teach's export tolerance (issue 19).
  expect(wasmGap).toBeLessThan(1e-4);
  expect(heatGaps.wasm).toBeLessThan(1e-4);
  // labelwise classify runs a taught folder's encoder on the same WASM build (src/cli/shared.ts): the page's scores.
  expect(rows.filter((row) => row.predicted).map((row) => row.name)).toEqual(cli.labels);
  expect(cliGap).toBeLessThan(1e-4);
  expect(heatGaps.cli).toBeLessThan(1e-4);

  // A forced graph (?precision=) does not apply to a taught model: it still opens, on its int8 encoder.
  await page.goto(`/?model=${MODEL_ID}&backend=wasm&precision=fp16`);
  await expect(page.getByTestId('model-ready')).toHaveAttribute('data-graph', 'encoder.int8.onnx', { timeout: 150_000 });
});
