/**
 * Two tabs on one annotation session (issue #16): a note typed just before the other tab takes over is not lost,
 * the tab left read-only becomes active again once the other closes, and the page shows when work is saved.
 */
import { expect, type Page, test } from '@playwright/test';
import { importPasted, openAnnotate } from './annotate-helpers';

/**
 * The document the note goes on, found by its text: the queue is sorted by the model's uncertainty and predictions land
 * at any moment (the first tab's batch, then the second's once it takes over), so "the first row" was once a different
 * document in each tab.
 */
const notedRow = (page: Page) => page.locator('.aw-row', { hasText: 'First abstract' });

test('a note typed just before a take-over reaches the new tab; closing it makes the old tab active again', async ({ context }) => {
  const first = await context.newPage();
  await openAnnotate(first);
  await importPasted(first, 'First abstract about tumour growth.\n\nSecond abstract about apoptosis.', 2);
  await expect(first.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');

  const second = await context.newPage();
  await openAnnotate(second);
  await expect(second.getByTestId('read-only-banner')).toBeVisible();

  // The note is still waiting for its save (the panel saves after a pause) when the other tab takes over.
  await notedRow(first).click();
  const note = 'typed a moment before the take-over';
  await first.getByLabel('Note').fill(note);
  await second.getByTestId('take-over').click();
  await expect(first.getByTestId('read-only-banner')).toBeVisible();

  // The tab that took over gets the note and saves it; the first tab then shows everything saved.
  await notedRow(second).click();
  await expect(second.getByLabel('Note')).toHaveValue(note);
  await expect(first.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');

  // The active tab closes: the read-only one asks for the lock again and becomes the one that saves.
  await second.close();
  await expect(first.getByTestId('annotate-view')).toHaveAttribute('data-role', 'active');
  await expect(first.getByTestId('read-only-banner')).toHaveCount(0);
  await first.getByTestId('batch-progress').click();
  await first.keyboard.press('Enter');
  await expect(first.getByTestId('batch-progress')).toContainText('1 of 2 reviewed');
  await expect(first.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await expect(first.getByTestId('save-state')).toHaveText('all saved');
});
