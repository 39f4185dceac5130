/** The classification pipeline: tokens -> windows -> graph runs -> combined scores and word attention. */
import { errorMessage } from './errors';
import type { ModelManifest } from './manifest';
import { borderlineGraphFile, type LoadedModel, type ReadModelFile, readGraph } from './model-folder';
import { combineLogits, predictLabels, probabilities, type WordWeight, wordWeights } from './postprocess';
import type { LabelAttentionSession, SessionFactory } from './session';
import { planWindows } from './windows';

export type { WordWeight } from './postprocess';

export interface Progress {
  /** Windows finished. */
  done: number;
  total: number;
}

export interface ClassifyOptions {
  /** Checked before each window; aborting rejects with the signal's reason. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Called before each window runs, with the windows finished so far: the page says which one is running. */
  onWindowStart?: (progress: Progress) => void;
  /** Compute word attention (default true); the CLI skips it unless asked. */
  attention?: boolean;
}

export interface Classification {
  /** Predicted label names, in model.json order. */
  labels: string[];
  /** Probability per label name. */
  scores: Record<string, number>;
  /** Per label, one [start, end, weight] per word of the text; weights sum to 1. Empty if not asked for. */
  attention: Record<string, WordWeight[]>;
  /** Content tokens (without [CLS]/[SEP]) and windows run. */
  tokens: number;
  windows: number;
  /** 'done' when the first graph put a probability within model.json's borderline margin of its threshold and the
   * borderline graph scored the text again (scores, labels and attention are that graph's); 'unavailable' when such a
   * text could not be rechecked because the borderline graph could not be opened (the first graph's result, see
   * `recheckError`; the next document tries to open it again); 'not-needed' otherwise. */
  recheck: Recheck;
  /** Why the borderline graph could not be opened, when `recheck` is 'unavailable'. */
  recheckError?: string;
}

export type Recheck = 'done' | 'not-needed' | 'unavailable';

export interface Classifier {
  readonly manifest: ModelManifest;
  classify(text: string, options?: ClassifyOptions): Promise<Classification>;
  /** Releases the ONNX Runtime sessions. */
  dispose(): Promise<void>;
}

export interface ClassifierOptions {
  /** Opens the graph model.json's `borderline.precision` names; called once, on the first document that needs it.
   * Without it (or without `borderline` in model.json) every document is scored by `session` alone. */
  openBorderline?: () => Promise<LabelAttentionSession>;
}

interface Scored {
  probs: Float64Array;
  /** Per label, the sum over covering windows of each token's attention; divide by `cover`. */
  attentionSums: Float64Array[];
  cover: Uint16Array;
}

export function createClassifier(
  model: Pick<LoadedModel, 'manifest' | 'tokenizer'>,
  session: LabelAttentionSession,
  classifierOptions: ClassifierOptions = {},
): Classifier {
  const { manifest, tokenizer } = model;
  const labelCount = manifest.labels.length;
  const { openBorderline } = classifierOptions;
  const borderline = openBorderline ? manifest.borderline : undefined;
  let borderlineSession: Promise<LabelAttentionSession> | undefined;

  async function score(
    active: LabelAttentionSession,
    ids: number[],
    windows: ReturnType<typeof planWindows>,
    wantAttention: boolean,
    signal: AbortSignal | undefined,
    onWindow: { start: () => void; end: () => void },
  ): Promise<Scored> {
    const tokenCount = ids.length;
    const windowLogits: Float32Array[] = [];
    const attentionSums = wantAttention ? Array.from({ length: labelCount }, () => new Float64Array(tokenCount)) : [];
    const cover = new Uint16Array(tokenCount);
    for (const window of windows) {
      signal?.throwIfAborted();
      const length = window.end - window.start;
      const inputIds = new BigInt64Array(length + 2);
      inputIds[0] = BigInt(tokenizer.clsId);
      for (let token = 0; token < length; token++) inputIds[token + 1] = BigInt(ids[window.start + token] as number);
      inputIds[length + 1] = BigInt(tokenizer.sepId);

      onWindow.start();
      const output = await active.run(inputIds);
      if (output.logits.length !== labelCount) {
        throw new Error(`model graph returns ${output.logits.length} logits but model.json lists ${labelCount} labels`);
      }
      windowLogits.push(output.logits);
      if (wantAttention) {
        if (output.labelAttention.length !== labelCount * (length + 2)) {
          throw new Error(
            `model graph returns label_attention of ${output.labelAttention.length} values, expected ${labelCount} x ${length + 2}`,
          );
        }
        for (let label = 0; label < labelCount; label++) {
          const sums = attentionSums[label] as Float64Array;
          // +1 skips [CLS]; [CLS]/[SEP] weights are not words and drop out in the renormalisation.
          const row = label * (length + 2) + 1;
          for (let token = 0; token < length; token++) {
            const at = window.start + token;
            sums[at] = (sums[at] as number) + (output.labelAttention[row + token] as number);
          }
        }
        for (let token = window.start; token < window.end; token++) cover[token] = (cover[token] as number) + 1;
      }
      onWindow.end();
    }
    return { probs: probabilities(combineLogits(windowLogits, manifest.task), manifest.task), attentionSums, cover };
  }

  const nearThreshold = (probs: Float64Array, margin: number): boolean =>
    manifest.labels.some((label, index) => Math.abs((probs[index] as number) - label.threshold) < margin);

  async function classify(text: string, options: ClassifyOptions = {}): Promise<Classification> {
    const { signal, onProgress, onWindowStart } = options;
    const wantAttention = options.attention ?? true;
    signal?.throwIfAborted();
    const encoding = tokenizer.encode(text);
    const tokenCount = encoding.ids.length;
    const windows = planWindows(tokenCount, manifest.window);
    let done = 0;
    let total = windows.length;
    const onWindow = { start: () => onWindowStart?.({ done, total }), end: () => onProgress?.({ done: ++done, total }) };

    let scored = await score(session, encoding.ids, windows, wantAttention, signal, onWindow);
    let recheck: Recheck = 'not-needed';
    let recheckError: string | undefined;
    if (borderline !== undefined && openBorderline && nearThreshold(scored.probs, borderline.margin)) {
      borderlineSession ??= openBorderline().catch((error: unknown) => {
        borderlineSession = undefined; // the next document tries again: the graph may be readable by then
        throw error;
      });
      let second: LabelAttentionSession | undefined;
      try {
        second = await borderlineSession;
      } catch (error) {
        // A missing recheck graph (offline, say) never fails the classification: the first graph's result stands.
        recheck = 'unavailable';
        recheckError = errorMessage(error);
      }
      if (second) {
        total += windows.length;
        scored = await score(second, encoding.ids, windows, wantAttention, signal, onWindow);
        recheck = 'done';
      }
    }

    const { probs, attentionSums, cover } = scored;
    const scores: Record<string, number> = {};
    const attention: Record<string, WordWeight[]> = {};
    for (const [index, label] of manifest.labels.entries()) {
      scores[label.name] = probs[index] as number;
      if (wantAttention) {
        const sums = attentionSums[index] as Float64Array;
        for (let token = 0; token < tokenCount; token++) sums[token] = (sums[token] as number) / (cover[token] as number);
        attention[label.name] = wordWeights(sums, encoding.words, encoding.starts, encoding.ends);
      }
    }
    return {
      labels: predictLabels(probs, manifest.labels, manifest.task),
      scores,
      attention,
      tokens: tokenCount,
      windows: windows.length,
      recheck,
      ...(recheckError === undefined ? {} : { recheckError }),
    };
  }

  async function dispose(): Promise<void> {
    const second = borderlineSession;
    borderlineSession = undefined;
    await Promise.all([session.release(), second?.then((opened) => opened.release()).catch(() => {})]);
  }

  return { manifest, classify, dispose };
}

/** Where the graph model.json's `borderline` names comes from, for createClassifierWithBorderline. */
export interface BorderlineGraphSource {
  read: ReadModelFile;
  openSession: SessionFactory;
  /** Whether the folder ships the file (the page knows from models/index.json); by default it is taken to. */
  ships?: (file: string) => boolean;
}

/**
 * createClassifier on the graph `model` loaded, rescoring borderline documents with the graph model.json's
 * `borderline` names: read and opened from `source` on the first such document. Without one (or where it is the
 * graph already loaded, or not shipped) every document is scored by `session` alone.
 */
export function createClassifierWithBorderline(
  model: Pick<LoadedModel, 'manifest' | 'tokenizer' | 'precision'>,
  session: LabelAttentionSession,
  source: BorderlineGraphSource,
): Classifier {
  const file = borderlineGraphFile(model);
  const openBorderline =
    file !== undefined && (source.ships?.(file) ?? true) ? async () => source.openSession(await readGraph(source.read, file)) : undefined;
  return createClassifier(model, session, { openBorderline });
}
