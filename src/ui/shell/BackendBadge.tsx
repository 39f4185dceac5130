import { useModelStore } from '../../store/model';
import type { BackendInfo } from '../../worker/api';
import { formatMs } from './format';

export function backendLabel(backend: BackendInfo): string {
  if (backend.backend === 'webgpu') return 'WebGPU';
  return `WASM · ${backend.threads} ${backend.threads === 1 ? 'thread' : 'threads'}`;
}

/** Why the page runs slower than it could, in words; empty when nothing is amiss. */
export function backendNotes(backend: BackendInfo): string[] {
  const notes: string[] = [];
  if (backend.fallbackReason) notes.push(`Running on WASM instead of WebGPU: ${backend.fallbackReason}.`);
  if (backend.backend === 'wasm' && !backend.crossOriginIsolated) {
    notes.push(
      'Single-threaded: the page is not cross-origin isolated (the server sends no COOP/COEP headers), so WASM runs on one thread.',
    );
  }
  return notes;
}

/** Backend, threads and (for a run) its time. Defaults to the loaded model's backend. */
export function BackendBadge({ backend, timeMs }: { backend?: BackendInfo; timeMs?: number }) {
  const load = useModelStore((state) => state.load);
  const shown = backend ?? (load.status === 'ready' ? load.info.backend : undefined);
  if (!shown) return null;
  const notes = backendNotes(shown);
  return (
    <span
      className={`backend-badge backend-${shown.backend}${notes.length > 0 ? ' backend-degraded' : ''}`}
      title={[`Graph: ${shown.graph}`, ...notes].join('\n')}
      data-testid="backend-badge"
      data-backend={shown.backend}
      data-threads={shown.threads}
    >
      {backendLabel(shown)}
      {timeMs !== undefined && ` · ${formatMs(timeMs)}`}
    </span>
  );
}
