/**
 * Labelwise inference core: one code path for the browser worker and the Node CLI.
 *
 * Nothing here touches the DOM, Node APIs or ONNX Runtime directly. The caller injects two seams:
 * - `ReadModelFile`: `(name) => Promise<Uint8Array>` reading a file of the model folder
 *   (browser: fetch + Cache Storage, with progress; Node: fs.readFile).
 * - `SessionFactory`: `(graph bytes) => Promise<LabelAttentionSession>`; build one with
 *   `ortSessionFactory(await import("onnxruntime-web" | "onnxruntime-node"), sessionOptions)`.
 *
 * Typical use (worker or CLI):
 * ```ts
 * const model = await loadModelFolder(readFile, { precision: "int8" });
 * const session = await ortSessionFactory(ort, { executionProviders: ["wasm"] })(model.graph);
 * const classifier = createClassifier(model, session);
 * const result = await classifier.classify(text, { signal, onProgress: ({ done, total }) => ... });
 * // result.labels: predicted label names (model.json order)
 * // result.scores: { [label]: probability }   (sigmoid for multi_label, softmax for single_label)
 * // result.attention: { [label]: [[start, end, weight], ...] } one entry per word, weights sum to 1
 * await classifier.dispose();
 * ```
 * Long texts: the tokens are split into windows of model.json `window.length` (with [CLS]/[SEP]),
 * one every `window.stride` tokens, the last ending on the last token (as train/evaluate.py).
 * Combining: multi_label takes each label's max logit over windows, single_label the mean;
 * a token's attention is the mean over the windows covering it, word pieces are summed into words
 * and each label's word weights renormalised to sum to 1 over the whole text. Nothing is truncated.
 * Character offsets are UTF-16 code unit indices into the ORIGINAL text (what `String.slice` takes).
 * Borderline documents: where model.json names `borderline` (HoC: fp16, margin 0.02), pass
 * `createClassifier(model, session, { openBorderline: () => open the graph files[borderline.precision] })`;
 * a multi-label document scored within the margin of a threshold is then scored again by that graph
 * (`result.recheck`: 'done'), which is opened on the first such document; when it cannot be opened the first
 * graph's result is returned marked 'unavailable', and the next such document tries to open it again.
 * To switch backend (e.g. WebGPU failed), create a new session from `model.graph` and call
 * `createClassifier(model, newSession)` again; the tokenizer is reused.
 */

export type {
  BorderlineGraphSource,
  Classification,
  Classifier,
  ClassifierOptions,
  ClassifyOptions,
  Progress,
  Recheck,
  WordWeight,
} from './classifier';
export { createClassifier, createClassifierWithBorderline } from './classifier';
export { errorMessage } from './errors';
export type { BorderlineSpec, LabelSpec, ModelManifest, Precision, Task, WindowSpec } from './manifest';
export { isPrecision, ModelFolderError, PRECISIONS, parseManifest } from './manifest';
export type { F1Report } from './metrics';
export { scorePredictions } from './metrics';
export type { LoadedModel, LoadOptions, ReadModelFile } from './model-folder';
export { borderlineGraphFile, loadModelFolder, readGraph } from './model-folder';
export type { FolderSessions, OpenedFolder } from './open-folder';
export { openModelFolder } from './open-folder';
export type { LabelAttentionOutput, LabelAttentionSession, OrtModule, SessionFactory } from './session';
export { ortSessionFactory } from './session';
export type { Encoding } from './tokenizer';
export { WordPieceTokenizer } from './tokenizer';
export type { Window } from './windows';
export { planWindows } from './windows';
