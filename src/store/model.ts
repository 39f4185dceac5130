/** Which model folders exist, which one is loaded, and how loading goes. Shared by every tab. */

import { create } from 'zustand';
import { errorMessage } from '../core/errors';
import { isPrecision } from '../core/manifest';
import type { BackendInfo, LoadOptions, LoadProgress, ModelInfo } from '../worker/api';
import { callback, inferenceWorker } from '../worker/bridge';
import { cachedModelFiles, neededFiles, saveModelForOffline } from '../worker/model-files';

/** One entry of public/models/index.json (written by scripts/models-index.ts). */
export interface ModelEntry {
  id: string;
  /** "taught": exported by Teach (a learner over the pretrained encoder); "classifier": a fine-tuned folder. */
  kind: 'classifier' | 'taught';
  version: string;
  task: string;
  labelCount: number;
  files: Record<string, number>;
}

export type ModelLoad =
  | { status: 'idle' }
  | { status: 'loading'; modelId: string; progress: LoadProgress | null }
  | { status: 'ready'; info: ModelInfo }
  | { status: 'error'; modelId: string; error: string };

/** Which files of a model are stored for use without a network; `saving` while they are being fetched. */
export interface OfflineState {
  cached: string[];
  missing: string[];
  saving: boolean;
  error?: string;
}

interface ModelState {
  models: ModelEntry[] | null;
  /** Per model id, once checked. */
  offline: Record<string, OfflineState>;
  checkOffline(id: string): Promise<void>;
  /** Downloads every file of the model (both graphs) so it works offline, before it is needed. */
  makeAvailableOffline(id: string): Promise<void>;
  indexError: string | null;
  selectedId: string | null;
  load: ModelLoad;
  fetchIndex(): Promise<void>;
  selectModel(id: string): Promise<void>;
  /** A run moved to another backend (WebGPU failed mid-session): the shell's badge follows. */
  noteRunBackend(backend: BackendInfo): void;
}

const modelsUrl = `${import.meta.env.BASE_URL}models/`;

/**
 * Load options from the page URL, used by e2e tests and benchmarks: `?backend=wasm|webgpu` forces a backend,
 * `?precision=int8|fp16|fp32` a graph, `?threads=N` the WASM thread count. Anything else means automatic.
 */
export function loadOptionsFromUrl(): Pick<LoadOptions, 'backend' | 'precision' | 'threads'> {
  const params = new URLSearchParams(location.search);
  const backend = params.get('backend');
  const precision = params.get('precision');
  const threads = Number(params.get('threads'));
  return {
    backend: backend === 'wasm' || backend === 'webgpu' ? backend : undefined,
    precision: isPrecision(precision) ? precision : undefined,
    threads: Number.isInteger(threads) && threads > 0 ? threads : undefined,
  };
}

/** Counts loads so a superseded load (another model picked meanwhile) can't overwrite the current one. */
let loadCounter = 0;

const folderUrl = (id: string) => new URL(`${modelsUrl}${id}/`, location.href).href;

export const useModelStore = create<ModelState>()((set, get) => ({
  models: null,
  offline: {},

  async checkOffline(id: string) {
    const entry = get().models?.find((model) => model.id === id);
    if (!entry) return;
    const cached = await cachedModelFiles(folderUrl(id), entry.version, entry.files);
    const all = neededFiles(entry.files);
    const previous = get().offline[id];
    set({
      offline: {
        ...get().offline,
        [id]: { ...previous, saving: previous?.saving ?? false, cached, missing: all.filter((f) => !cached.includes(f)) },
      },
    });
  },

  async makeAvailableOffline(id: string) {
    const entry = get().models?.find((model) => model.id === id);
    if (!entry) return;
    const mark = (state: Partial<OfflineState>) => {
      const current = get().offline[id] ?? { cached: [], missing: [], saving: false };
      set({ offline: { ...get().offline, [id]: { ...current, ...state } } });
    };
    mark({ saving: true, error: undefined });
    try {
      await saveModelForOffline(folderUrl(id), entry.version, entry.files, () => {});
      mark({ saving: false });
    } catch (error) {
      mark({ saving: false, error: errorMessage(error) });
    }
    await get().checkOffline(id);
  },

  indexError: null,
  selectedId: null,
  load: { status: 'idle' },

  async fetchIndex() {
    try {
      const response = await fetch(`${modelsUrl}index.json`, { cache: 'no-cache' });
      if (!response.ok) throw new Error(`models/index.json: HTTP ${response.status}`);
      const { models } = (await response.json()) as { models: ModelEntry[] };
      set({ models, indexError: null });
      const wanted = new URLSearchParams(location.search).get('model');
      const first = models.find((model) => model.id === wanted) ?? models[0];
      if (first && get().selectedId === null) await get().selectModel(first.id);
    } catch (error) {
      set({ models: [], indexError: errorMessage(error) });
    }
  },

  async selectModel(id: string) {
    const entry = get().models?.find((model) => model.id === id);
    const token = ++loadCounter;
    set({ selectedId: id, load: { status: 'loading', modelId: id, progress: null } });
    // Progress arrives on its own message port and can land after the load settled: drop it then.
    const onProgress = (progress: LoadProgress) => {
      if (token === loadCounter && get().load.status === 'loading') set({ load: { status: 'loading', modelId: id, progress } });
    };
    try {
      const info = await inferenceWorker().loadModel(
        folderUrl(id),
        { ...loadOptionsFromUrl(), files: entry?.files, version: entry?.version },
        callback(onProgress),
      );
      if (token === loadCounter) set({ load: { status: 'ready', info } });
      await get().checkOffline(id);
    } catch (error) {
      if (token === loadCounter) set({ load: { status: 'error', modelId: id, error: errorMessage(error) } });
    }
  },

  noteRunBackend(backend: BackendInfo) {
    const { load } = get();
    if (load.status === 'ready' && load.info.backend.backend !== backend.backend) {
      set({ load: { status: 'ready', info: { ...load.info, backend } } });
    }
  },
}));
