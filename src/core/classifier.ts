/** The classification pipeline: tokens -> windows -> graph runs -> combined scores and word attention. */
import type { ModelManifest } from './manifest';
import type { LoadedModel } from './model-folder';
import { combineLogits, predictLabels, probabilities, type WordWeight, wordWeights } from './postprocess';
import type { LabelAttentionSession } from './session';
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
}

export interface Classifier {
  readonly manifest: ModelManifest;
  classify(text: string, options?: ClassifyOptions): Promise<Classification>;
  /** Releases the ONNX Runtime session. */
  dispose(): Promise<void>;
}

export function createClassifier(model: Pick<LoadedModel, 'manifest' | 'tokenizer'>, session: LabelAttentionSession): Classifier {
  const { manifest, tokenizer } = model;
  const labelCount = manifest.labels.length;

  async function classify(text: string, options: ClassifyOptions = {}): Promise<Classification> {
    const { signal, onProgress } = options;
    const wantAttention = options.attention ?? true;
    signal?.throwIfAborted();
    const encoding = tokenizer.encode(text);
    const tokenCount = encoding.ids.length;
    const windows = planWindows(tokenCount, manifest.window);
    const windowLogits: Float32Array[] = [];
    // Per label, the sum over covering windows of each token's attention; divided by `cover` below.
    const attentionSums = wantAttention ? Array.from({ length: labelCount }, () => new Float64Array(tokenCount)) : [];
    const cover = new Uint16Array(tokenCount);

    for (const [index, window] of windows.entries()) {
      signal?.throwIfAborted();
      const length = window.end - window.start;
      const inputIds = new BigInt64Array(length + 2);
      inputIds[0] = BigInt(tokenizer.clsId);
      for (let token = 0; token < length; token++) inputIds[token + 1] = BigInt(encoding.ids[window.start + token] as number);
      inputIds[length + 1] = BigInt(tokenizer.sepId);

      const output = await session.run(inputIds);
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
      onProgress?.({ done: index + 1, total: windows.length });
    }

    const probs = probabilities(combineLogits(windowLogits, manifest.task), manifest.task);
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
    return { labels: predictLabels(probs, manifest.labels, manifest.task), scores, attention, tokens: tokenCount, windows: windows.length };
  }

  return { manifest, classify, dispose: () => session.release() };
}
