/** model.json: the manifest of a model folder (see the model contract). */

export type Task = 'multi_label' | 'single_label';
export type Precision = 'int8' | 'fp32' | 'fp16';

export interface LabelSpec {
  name: string;
  description: string;
  /** Used for multi_label only; single_label predicts the argmax. */
  threshold: number;
}

export interface WindowSpec {
  /** Tokens per window, including [CLS] and [SEP]. */
  length: number;
  /** Content tokens between the starts of two windows. */
  stride: number;
}

export interface BorderlineSpec {
  margin: number;
  precision: Precision;
}

export interface ModelManifest {
  /** "taught": a learner over the pretrained encoder (loadTaughtFolder, src/core/learner); absent: a fine-tuned
   * label-attention graph (loadModelFolder). */
  kind?: 'taught';
  id: string;
  version: string;
  task: Task;
  encoder: { name: string; source?: string; license?: string; sha256?: string };
  max_length: number;
  window: WindowSpec;
  labels: LabelSpec[];
  files: Partial<Record<Precision, string>>;
  /** Multi-label: a document whose probabilities lie within `margin` of a threshold is scored again by `precision`. */
  borderline?: BorderlineSpec;
  metrics?: unknown;
  trained?: unknown;
}

/** An error in a model folder, naming the file and (where known) the field at fault. */
export class ModelFolderError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    detail: string,
  ) {
    super(field === undefined ? `${file}: ${detail}` : `${file}: field "${field}": ${detail}`);
    this.name = 'ModelFolderError';
  }
}

export const PRECISIONS: readonly Precision[] = ['int8', 'fp32', 'fp16'];

export function isPrecision(value: unknown): value is Precision {
  return PRECISIONS.includes(value as Precision);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates parsed model.json content; throws ModelFolderError naming the first bad field. */
export function parseManifest(content: unknown, file = 'model.json'): ModelManifest {
  const fail = (field: string | undefined, detail: string): never => {
    throw new ModelFolderError(file, field, detail);
  };
  if (!isObject(content)) fail(undefined, 'expected a JSON object');
  const root = content as Json;

  const text = (object: Json, key: string, path: string): string => {
    const value = object[key];
    if (typeof value !== 'string' || value.length === 0) fail(path, 'expected a non-empty string');
    return value as string;
  };
  const optionalText = (object: Json, key: string, path: string): string | undefined =>
    object[key] === undefined ? undefined : text(object, key, path);
  const positiveInteger = (object: Json, key: string, path: string): number => {
    const value = object[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      fail(path, 'expected a positive integer');
    }
    return value as number;
  };
  const child = (object: Json, key: string, path: string): Json => {
    const value = object[key];
    if (!isObject(value)) fail(path, 'expected an object');
    return value as Json;
  };

  if (root.kind === 'encoder')
    fail('kind', 'an encoder folder (no labels): teach a scheme on it (labelwise simulate), it does not classify');
  if (root.kind !== undefined && root.kind !== 'taught') fail('kind', 'expected "taught" or no kind (a fine-tuned classifier)');
  const task = root.task;
  if (task !== 'multi_label' && task !== 'single_label') {
    fail('task', 'expected "multi_label" or "single_label"');
  }

  const encoderJson = child(root, 'encoder', 'encoder');
  const encoder = {
    name: text(encoderJson, 'name', 'encoder.name'),
    source: optionalText(encoderJson, 'source', 'encoder.source'),
    license: optionalText(encoderJson, 'license', 'encoder.license'),
    sha256: optionalText(encoderJson, 'sha256', 'encoder.sha256'),
  };

  const maxLength = positiveInteger(root, 'max_length', 'max_length');
  const windowJson = child(root, 'window', 'window');
  const window = {
    length: positiveInteger(windowJson, 'length', 'window.length'),
    stride: positiveInteger(windowJson, 'stride', 'window.stride'),
  };
  if (window.length < 3) fail('window.length', 'must leave room for [CLS], [SEP] and one token');
  if (window.length > maxLength) fail('window.length', `exceeds max_length (${maxLength})`);
  if (window.stride > window.length - 2) {
    fail('window.stride', `must be at most window.length - 2 (${window.length - 2}) so windows overlap or touch`);
  }

  if (!Array.isArray(root.labels) || root.labels.length === 0) fail('labels', 'expected a non-empty array');
  const seen = new Set<string>();
  const labels = (root.labels as unknown[]).map((entry, index): LabelSpec => {
    const path = `labels[${index}]`;
    if (!isObject(entry)) fail(path, 'expected an object');
    const label = entry as Json;
    const name = text(label, 'name', `${path}.name`);
    if (seen.has(name)) fail(`${path}.name`, `duplicate label "${name}"`);
    seen.add(name);
    const description = label.description === undefined ? '' : label.description;
    if (typeof description !== 'string') fail(`${path}.description`, 'expected a string');
    // Single-label sets take the argmax; train/export.py writes their thresholds as null.
    const threshold = (label.threshold === undefined || label.threshold === null) && task === 'single_label' ? 0.5 : label.threshold;
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      fail(`${path}.threshold`, 'expected a number between 0 and 1');
    }
    return { name, description: description as string, threshold: threshold as number };
  });

  const filesJson = child(root, 'files', 'files');
  const files: Partial<Record<Precision, string>> = {};
  for (const [key, value] of Object.entries(filesJson)) {
    if (!isPrecision(key)) fail(`files.${key}`, `unknown precision (expected ${PRECISIONS.join(', ')})`);
    if (typeof value !== 'string' || value.length === 0 || value.includes('/') || value.includes('\\')) {
      fail(`files.${key}`, 'expected a file name inside the model folder');
    }
    files[key as Precision] = value as string;
  }
  if (Object.keys(files).length === 0) fail('files', 'names no ONNX graph');

  let borderline: BorderlineSpec | undefined;
  if (root.borderline !== undefined) {
    const spec = child(root, 'borderline', 'borderline');
    const margin = spec.margin;
    if (typeof margin !== 'number' || !(margin > 0 && margin < 0.5)) fail('borderline.margin', 'expected a number between 0 and 0.5');
    const precision = spec.precision as Precision;
    if (!PRECISIONS.includes(precision)) fail('borderline.precision', `expected one of ${PRECISIONS.join(', ')}`);
    if (task !== 'multi_label') fail('borderline', 'applies to multi_label models only');
    // A folder trimmed to fewer graphs stays usable: without its second graph, every document is scored once.
    if (files[precision] !== undefined) borderline = { margin: margin as number, precision };
  }

  return {
    ...(root.kind === 'taught' ? { kind: 'taught' as const } : {}),
    id: text(root, 'id', 'id'),
    version: text(root, 'version', 'version'),
    task: task as Task,
    encoder,
    max_length: maxLength,
    window,
    labels,
    files,
    ...(borderline ? { borderline } : {}),
    metrics: root.metrics,
    trained: root.trained,
  };
}
