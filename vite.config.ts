import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { writeModelIndex } from './scripts/models-index';

/** WASM threads need a cross-origin isolated page; both servers send these. */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const modelsDir = resolve('public/models');

/** Keeps public/models/index.json (the model picker's list) in step with the model folders. */
function modelsIndex(): Plugin {
  return {
    name: 'labelwise-models-index',
    buildStart() {
      writeModelIndex(modelsDir);
    },
    configureServer(server) {
      server.watcher.add(modelsDir);
      const refresh = (file: string) => {
        const inModels = !relative(modelsDir, file).startsWith('..');
        if (inModels && !file.endsWith('index.json')) writeModelIndex(modelsDir);
      };
      server.watcher.on('add', refresh);
      server.watcher.on('unlink', refresh);
      server.watcher.on('change', refresh);
    },
  };
}

/**
 * ONNX Runtime's wasm runtimes are served from /ort/ on our own origin: copied into the build, served from
 * node_modules in dev. Nothing is fetched from a CDN. The plain build runs the WASM provider, the JSEP build
 * the WebGPU one (the worker loads each on first use).
 */
const ortDist = resolve('node_modules/onnxruntime-web/dist');
const ortVersion = (JSON.parse(readFileSync(join(ortDist, '../package.json'), 'utf8')) as { version: string }).version;
const ortRuntimeFiles = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.jsep.mjs',
  'ort-wasm-simd-threaded.jsep.wasm',
];

function ortRuntime(): Plugin {
  let outDir = 'dist';
  return {
    name: 'labelwise-ort-runtime',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const name = request.url?.split('?')[0]?.replace(/^\/ort\//, '');
        if (!request.url?.startsWith('/ort/') || !name || !ortRuntimeFiles.includes(name)) return next();
        response.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        for (const [header, value] of Object.entries(crossOriginIsolation)) response.setHeader(header, value);
        createReadStream(join(ortDist, name)).pipe(response);
      });
    },
    writeBundle() {
      mkdirSync(join(outDir, 'ort'), { recursive: true });
      for (const name of ortRuntimeFiles) {
        const source = join(ortDist, name);
        if (!existsSync(source)) throw new Error(`onnxruntime-web file missing: ${source}`);
        copyFileSync(source, join(outDir, 'ort', name));
      }
    },
  };
}

/**
 * The service worker (src/sw/sw.ts). injectManifest rather than generateSW: the worker must add COOP/COEP to every
 * response it serves (a Workbox plugin on the precache), which generateSW's config cannot express. Off in dev.
 * The ORT files are listed by hand: ortRuntime() copies them after the glob runs. The JSEP (WebGPU) runtime is cached
 * on first use instead (28 MB for WebGPU pages only).
 */
const serviceWorker = VitePWA({
  strategies: 'injectManifest',
  srcDir: 'src/sw',
  filename: 'sw.ts',
  injectRegister: false,
  manifest: false,
  injectManifest: {
    globPatterns: ['**/*.{js,css,html,svg,png,ico}', 'models/index.json'],
    additionalManifestEntries: ortRuntimeFiles
      .filter((name) => !name.includes('.jsep.'))
      .map((name) => ({ url: `ort/${name}`, revision: ortVersion })),
    maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
  },
});

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  plugins: [modelsIndex(), ortRuntime(), serviceWorker],
  resolve: {
    // Makes `onnxruntime-web` resolve to its build that loads the wasm runtime from ort.env.wasm.wasmPaths
    // (our /ort/) instead of bundling a second copy of the 28 MB runtime into assets/.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  optimizeDeps: { exclude: ['onnxruntime-web', 'onnxruntime-web/wasm'] },
  worker: { format: 'es' },
  build: { target: 'esnext' },
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
});
