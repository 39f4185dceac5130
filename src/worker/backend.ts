/** Picks the ONNX Runtime backend and graph: WebGPU when the browser has an adapter, WASM otherwise. */

import type { Precision } from '../core';
import { errorMessage } from '../core/errors';
import type { BackendName } from './api';

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** Resolves to undefined when WebGPU can be used, else to the reason it can't. */
export async function webGpuUnavailableReason(): Promise<string | undefined> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return 'this browser has no WebGPU';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? undefined : 'no WebGPU adapter';
  } catch (error) {
    return `WebGPU adapter request failed (${errorMessage(error)})`;
  }
}

/** WASM threads need a cross-origin isolated page (COOP/COEP headers); without them ORT runs on one thread. */
export function wasmThreads(requested: number | undefined): number {
  if (!crossOriginIsolated) return 1;
  return Math.max(1, requested ?? (navigator.hardwareConcurrency || 1));
}

/**
 * The graphs each backend may run, in order of preference. WASM runs the int8 graph (fast MatMulInteger kernels).
 * WebGPU never picks the int8 graph on its own: onnxruntime-web 1.30's WebGPU provider runs the dynamically
 * quantized graph but returns wrong scores (measured: 0.378 vs 0.518 from WASM int8 and WebGPU fp32 on the same
 * text), so it needs model.fp16.onnx or model.onnx; without either, WebGPU is skipped for WASM.
 */
export function graphPreference(backend: BackendName): Precision[] {
  return backend === 'webgpu' ? ['fp16', 'fp32'] : ['int8', 'fp32', 'fp16'];
}

export function pickPrecision(
  backend: BackendName,
  manifestFiles: Partial<Record<Precision, string>>,
  available: Record<string, number> | undefined,
  forced: Precision | undefined,
): Precision | undefined {
  return (forced ? [forced] : graphPreference(backend)).find((precision) => {
    const file = manifestFiles[precision];
    // Without the index we can't know which optional graphs exist; int8 is the one always shipped.
    return file !== undefined && (available ? file in available : precision === 'int8');
  });
}
