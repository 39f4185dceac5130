/** Shared steps of the classify e2e tests. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';
import { exampleAbstracts } from '../src/ui/classify/examples';

/** The model under test: the shipped HoC model unless LABELWISE_E2E_MODEL names another folder of public/models. */
export const modelId = process.env.LABELWISE_E2E_MODEL ?? 'hoc-minilm-lame';
export const modelDir = `public/models/${modelId}`;

export interface ModelJson {
  labels: { name: string }[];
  files: Record<string, string>;
}

export function readModelJson(): ModelJson {
  return JSON.parse(readFileSync(`${modelDir}/model.json`, 'utf8')) as ModelJson;
}

/** The text of a HoC dev abstract by id. */
export function devText(id: string): string {
  const record = readFileSync('data/hoc/dev.jsonl', 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { id: string; text: string })
    .find((candidate) => candidate.id === id);
  if (!record) throw new Error(`${id} is not in data/hoc/dev.jsonl`);
  return record.text;
}

/** Opens the app on the model under test and waits until the model is loaded. */
export async function openApp(page: Page, params: Record<string, string> = {}): Promise<void> {
  const query = new URLSearchParams({ model: modelId, ...params });
  await page.goto(`/?${query}`);
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
}

export async function classifyText(page: Page, text: string): Promise<void> {
  await page.getByTestId('text-input').fill(text);
  await page.getByTestId('classify-button').click();
}

/** [start, end, weight] of every word of the heatmap shown for `label`, read from the DOM. */
export async function heatmapWeights(page: Page, label: string): Promise<[number, number, number][]> {
  const heatmap = page.locator(`[data-testid="heatmap"][data-label="${label}"]`);
  // Long texts render chunk by chunk; read the words once all are in.
  await expect(heatmap).toHaveAttribute('data-complete', 'true');
  return heatmap.locator('span[data-weight]').evaluateAll((spans) =>
    spans.map((span) => {
      const data = (span as HTMLElement).dataset;
      return [Number(data.start), Number(data.end), Number(data.weight)] as [number, number, number];
    }),
  );
}

export interface CliLine {
  labels: string[];
  scores: Record<string, number>;
  attention: Record<string, [number, number, number][]>;
}

/** `labelwise classify --attention` on one text with the given graph (of `folder`), as the reference for the page. */
export function runCli(text: string, precision: string, folder = modelDir): CliLine {
  const cli = spawnSync(
    'node',
    ['bin/labelwise.mjs', 'classify', '--model', folder, '--attention', '--precision', precision, '--threads', '1'],
    { input: `${JSON.stringify({ id: 'e2e', text })}\n`, encoding: 'utf8', timeout: 120_000 },
  );
  expect(cli.status, cli.stderr).toBe(0);
  return JSON.parse(cli.stdout.trim()) as CliLine;
}

/** The text of a built-in example abstract. */
export function exampleText(id: string): string {
  const found = exampleAbstracts.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`example ${id} missing`);
  return found.text;
}

/**
 * The first words of a text (about a hundred tokens, one window), for runs on the software WebGPU adapter
 * (SwiftShader), where one full abstract can take minutes on a busy CPU; full abstracts are checked on WASM.
 */
export function shortText(text: string, words = 60): string {
  return text.split(/\s+/).slice(0, words).join(' ');
}
