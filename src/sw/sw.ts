/// <reference lib="webworker" />
/**
 * The service worker (built by vite-plugin-pwa, injectManifest): the app works offline after one visit.
 * - App shell, lazy chunks, models/index.json (the model list ships with the build) and ONNX Runtime's WASM
 *   runtime are precached: a new build installs
 *   its whole set before it takes over, and takes over on the next visit (no skipWaiting), so a page never runs a
 *   half-updated app.
 * - Model graphs are not precached (tens of MB each): the inference worker keeps the files it read in Cache Storage
 *   itself, keyed by model version (src/worker/model-files.ts), and reads them from there offline.
 * - Every response it serves carries COOP/COEP, or the page would lose cross-origin isolation and WASM threads.
 */
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const crossOriginIsolated = {
  async handlerWillRespond({ response }: { response: Response }): Promise<Response> {
    if (response.type === 'opaque' || response.status === 0) return response;
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(isolation)) headers.set(name, value);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  },
};

clientsClaim();
cleanupOutdatedCaches();
addPlugins([crossOriginIsolated]);
precacheAndRoute(self.__WB_MANIFEST);

// Every page URL (?tab=annotate, ?model=...) is the one index.html.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// The WebGPU runtime (not precached: 28 MB, and only WebGPU pages load it), kept once used; its name changes with
// the ONNX Runtime version only through a new build, whose precache manifest then lists the new files.
registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.includes('/ort/'),
  new CacheFirst({ cacheName: 'labelwise-ort-runtime', plugins: [crossOriginIsolated] }),
);
