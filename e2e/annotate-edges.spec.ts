/** Annotate edge cases from issue #16: gold-labelled documents leave "new" once scored; a huge word wraps. */
import { expect, type Page, test } from '@playwright/test';
import { importPasted, openAnnotate, waitForPredictions } from './annotate-helpers';

async function importPastedJsonl(page: Page, records: object[]): Promise<void> {
  await importPasted(page, records.map((record) => JSON.stringify(record)).join('\n'), records.length);
}

test('documents imported with gold labels stop being "new" once the model scored them', async ({ page }) => {
  await openAnnotate(page);
  await importPastedJsonl(page, [
    { id: 'gold-1', text: 'Tumour cells evade apoptosis through BCL-2 overexpression.', labels: ['Resisting cell death'] },
    { id: 'plain-2', text: 'VEGF drives angiogenesis in the tumour microenvironment.' },
  ]);
  await waitForPredictions(page);
  // The gold decision is kept: a prediction never replaces human labels.
  await page.locator('.aw-row', { hasText: 'BCL-2' }).click();
  await expect(page.locator('.aw-toggle[aria-pressed="true"]')).toHaveAttribute('data-label', 'Resisting cell death');
});

test('a 10,000-character word wraps inside the text panel instead of overflowing it', async ({ page }) => {
  await openAnnotate(page);
  await importPastedJsonl(page, [{ id: 'long-word', text: `Start ${'ACGT'.repeat(2_500)} end.` }]);
  await page.locator('.aw-row').first().click();
  const panel = page.locator('.aw-doc-text');
  await expect(panel).toContainText('end.');
  const { scrollWidth, clientWidth } = await panel.evaluate((element) => ({
    scrollWidth: element.scrollWidth,
    clientWidth: element.clientWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  // The whole word is readable: the panel scrolls vertically to its end.
  await panel.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await expect(panel.getByText('end.', { exact: false })).toBeInViewport();
});
