/** Shared steps of the annotate e2e tests. */
import { expect, type Page } from '@playwright/test';

export const ANNOTATE_URL = '/?tab=annotate&backend=wasm';

export async function openAnnotate(page: Page): Promise<void> {
  await page.goto(ANNOTATE_URL);
  await expect(page.getByTestId('annotate-view')).toBeVisible();
}

/**
 * Opens the import dialog. Once in CI a click on Import right after the view appeared opened nothing: the toolbar
 * moved down under the pointer as late banners and the model's load status arrived. The layout no longer moves (see
 * "the toolbar stays put" in annotate.spec.ts, which fails on the old layout); the click is still repeated until the
 * dialog is there, so an unrelated hiccup does not fail the workflow tests.
 */
export async function openImportDialog(page: Page): Promise<void> {
  await expect(async () => {
    await page.getByTestId('open-import').click();
    await expect(page.getByLabel('Pasted text')).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
}

/** Imports pasted text (abstracts separated by blank lines, or JSON Lines), checks how many came in, closes the dialog. */
export async function importPasted(page: Page, text: string, expected: number): Promise<void> {
  await openImportDialog(page);
  await page.getByLabel('Pasted text').check();
  await page.getByLabel('Text to import').fill(text);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-imported')).toHaveText(String(expected));
  await page.getByRole('button', { name: 'Done', exact: true }).click();
}

/** Waits until the background batch has scored every document. */
export async function waitForPredictions(page: Page): Promise<void> {
  await expect(page.getByTestId('batch-progress')).toContainText(' 0 new', { timeout: 150_000 });
  await expect(page.getByTestId('prediction-progress')).toHaveCount(0);
}
