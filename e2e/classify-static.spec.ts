/**
 * The production build is a static site: a plain file server that sends no COOP/COEP headers still runs it,
 * on single-threaded WASM, and the page says so.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { exampleAbstracts } from '../src/ui/classify/examples';
import { classifyText, modelId } from './classify-helpers';

const root = resolve('dist');
const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

let server: Server;
let origin = '';

test.beforeAll(async () => {
  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    let file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    response.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  // Any free port: this server must not collide with the preview server or anything else running here.
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((done) => server.close(done));
});

test('served without COOP/COEP, the build runs on one WASM thread and says so', async ({ page }) => {
  const response = await page.goto(`${origin}/?model=${modelId}&backend=wasm`);
  expect(response?.headers()['cross-origin-embedder-policy']).toBeUndefined();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 150_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  const badge = page.locator('header').getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-threads', '1');
  await expect(page.getByTestId('backend-note').first()).toContainText('Single-threaded');

  await classifyText(page, exampleAbstracts[0]?.text ?? '');
  await expect(page.getByTestId('results')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('label-row').first()).toBeVisible();
});
