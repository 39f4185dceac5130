import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

// E2E_PORT lets several checkouts on one machine run their e2e suites without sharing a server.
const port = process.env.E2E_PORT ?? '4173';
const previewUrl = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // The machine has 2 cores shared with model training: one browser at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: [['list']],
  use: {
    baseURL: previewUrl,
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'wasm', metadata: { backend: 'wasm' } },
    {
      // The software WebGPU adapter (SwiftShader) is slow: only the parity and device-loss tests run here.
      name: 'webgpu',
      metadata: { backend: 'webgpu' },
      testMatch: /classify-(parity|device-lost)\.spec\.ts/,
      // MiniLM on the software adapter takes minutes per page load and run.
      timeout: 480_000,
      use: { launchOptions: { executablePath: chromiumPath, args: [...chromiumArgs, '--enable-unsafe-webgpu'] } },
    },
  ],
  webServer: {
    command: `npx vite build && npx vite preview --port ${port} --strictPort --host 127.0.0.1`,
    url: previewUrl,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
  },
});
