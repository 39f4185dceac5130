/**
 * Saves the annotator can trust (issue #16): closing the page while a save is pending asks first, and a note refused
 * because storage is full is kept and saved once there is room. Real IndexedDB and real quota, nothing mocked: a
 * pending save is held by a transaction the test keeps open on the session's database, and the quota is Chromium's
 * own, shrunk through the DevTools protocol.
 */
import { type CDPSession, expect, type Page, test } from '@playwright/test';
import { ANNOTATE_URL, importPasted, openAnnotate, waitForPredictions } from './annotate-helpers';

const DATABASE = 'labelwise-annotate';

async function openWithTwoDocuments(page: Page): Promise<void> {
  await openAnnotate(page);
  await importPasted(page, 'First abstract about tumour growth.\n\nSecond abstract about apoptosis.', 2);
  // The background batch writes too: wait until it is done, so the only save left is the test's.
  await waitForPredictions(page);
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
}

/**
 * Opens a read-write transaction on the session's documents and keeps it alive (one request after another) until
 * `release()`: every save of the page waits behind it, as behind a slow disk.
 */
async function holdDocumentWrites(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(
    (name) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const transaction = open.result.transaction('docs', 'readwrite');
          const store = transaction.objectStore('docs');
          const held = window as unknown as { releaseDocs?: () => void };
          let released = false;
          held.releaseDocs = () => {
            released = true;
          };
          const spin = () => {
            if (!released) store.count().onsuccess = spin;
          };
          spin();
          transaction.oncomplete = () => open.result.close();
          resolve();
        };
      }),
    DATABASE,
  );
  return () => page.evaluate(() => (window as unknown as { releaseDocs: () => void }).releaseDocs());
}

/** Closes the page as a user would (beforeunload runs); returns the type of the dialog it asked, if it asked. */
async function closeAsUser(page: Page): Promise<string | null> {
  let asked: string | null = null;
  page.on('dialog', (dialog) => {
    asked = dialog.type();
    void dialog.accept();
  });
  await Promise.all([page.waitForEvent('close'), page.close({ runBeforeUnload: true })]);
  return asked;
}

test('closing the page while a save is pending asks first; once everything is saved it does not', async ({ context }) => {
  const page = await context.newPage();
  await openWithTwoDocuments(page);
  const release = await holdDocumentWrites(page);

  await page.getByTestId('batch-progress').click();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saving');

  // The browser asks before leaving; the annotator stays.
  const dialog = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const warning = await dialog;
  expect(warning.type()).toBe('beforeunload');
  await warning.dismiss();
  expect(page.isClosed()).toBe(false);

  // The save lands; now the page closes without a question.
  await release();
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('batch-progress')).toContainText('1 of 2 reviewed');
  expect(await closeAsUser(page)).toBeNull();

  // What was saved is there in the next page.
  const next = await context.newPage();
  await next.goto(ANNOTATE_URL);
  await expect(next.getByTestId('batch-progress')).toContainText('1 of 2 reviewed');
});

async function setQuota(cdp: CDPSession, page: Page, quotaSize: number | undefined): Promise<void> {
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', quotaSize === undefined ? { origin } : { origin, quotaSize });
}

/**
 * Waits until the browser refuses a write for lack of room: it keeps an origin's remaining space cached for a few
 * seconds, so a small write right after the quota shrank can still pass. Probes a scratch database of the origin.
 */
async function waitUntilStorageIsFull(page: Page): Promise<void> {
  await expect(async () => {
    const outcome = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const open = indexedDB.open('quota-probe');
          open.onupgradeneeded = () => open.result.createObjectStore('probe');
          open.onerror = () => resolve(open.error?.name ?? 'open failed');
          open.onsuccess = () => {
            const transaction = open.result.transaction('probe', 'readwrite');
            transaction.objectStore('probe').put('x'.repeat(1024), 'probe');
            transaction.oncomplete = () => resolve('written');
            transaction.onabort = () => resolve(transaction.error?.name ?? 'aborted');
          };
        }),
    );
    expect(outcome).toBe('QuotaExceededError');
  }).toPass({ timeout: 60_000 });
}

test('a note refused because storage is full is kept, shown as not saved, and saved once there is room', async ({ context }) => {
  const page = await context.newPage();
  await openWithTwoDocuments(page);
  const cdp = await context.newCDPSession(page);

  // A quota below what the origin already uses (its models sit in Cache Storage): every write is refused.
  await setQuota(cdp, page, 1);
  await waitUntilStorageIsFull(page);
  const note = 'written while the disk was full';
  await page.locator('.aw-row', { hasText: 'First abstract' }).click();
  await page.getByLabel('Note').fill(note);
  await page.getByTestId('batch-progress').click();
  await expect(page.getByTestId('storage-error')).toBeVisible();
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'unsaved');
  await expect(page.getByLabel('Note')).toHaveValue(note);

  // Room again (the override lifted): the kept note is retried and saved without the annotator doing anything.
  await setQuota(cdp, page, undefined);
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');

  await page.reload();
  await page.locator('.aw-row', { hasText: 'First abstract' }).click();
  await expect(page.getByLabel('Note')).toHaveValue(note);
});
