/**
 * The transformers.js side of bench:browser: AutoModel runs the model folder's ONNX graph (a custom label-attention
 * graph; AutoModel returns all its outputs) on WASM. Everything comes from the benchmark's origin: transformers.js's
 * dist and the onnxruntime-web build it ships (node_modules/@huggingface/transformers), never a hub or CDN.
 */
import { AutoModel, env, Tensor } from '/bench-peer/transformers/transformers.web.js';

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = '/bench-peer/models/';
env.useBrowserCache = false;
// transformers.js's own default build (asyncify), from its bundled onnxruntime-web instead of jsDelivr.
env.backends.onnx.wasm.wasmPaths = {
  mjs: '/bench-peer/ort/ort-wasm-simd-threaded.asyncify.mjs',
  wasm: '/bench-peer/ort/ort-wasm-simd-threaded.asyncify.wasm',
};

let model;

/** Loads `<localModelPath>/<modelId>/<fileName>.onnx` (dtype fp32 adds no suffix to the file name). */
window.loadPeer = async (modelId, fileName, threads) => {
  env.backends.onnx.wasm.numThreads = threads;
  const started = performance.now();
  model = await AutoModel.from_pretrained(modelId, { device: 'wasm', dtype: 'fp32', subfolder: '', model_file_name: fileName });
  return { load_ms: performance.now() - started, cross_origin_isolated: crossOriginIsolated };
};

/** Runs every window ([CLS] ids [SEP], from the app's tokenizer) of one abstract; returns the time and the logits. */
window.runPeer = async (windows) => {
  const started = performance.now();
  const logits = [];
  for (const ids of windows) {
    const dims = [1, ids.length];
    const output = await model({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
      attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
    });
    logits.push(Array.from(output.logits.data));
    if (!output.label_attention) throw new Error('the graph returned no label_attention');
  }
  return { total_ms: performance.now() - started, logits };
};
