/**
 * The ONNX Runtime seam. Core never imports onnxruntime-web or onnxruntime-node: the caller
 * imports one (dynamically, so it lands in its own chunk) and passes the module here. Both
 * flavours share onnxruntime-common's API, which is all `OrtModule` describes.
 */

/** Outputs of one run of the label-attention graph for a batch of one. */
export interface LabelAttentionOutput {
  /** [labels] */
  logits: Float32Array;
  /** [labels, seq], row-major; each row sums to 1 over the real tokens. */
  labelAttention: Float32Array;
}

export interface LabelAttentionSession {
  /** Runs one sequence ([CLS] ... [SEP]) of `inputIds.length` tokens. */
  run(inputIds: BigInt64Array): Promise<LabelAttentionOutput>;
  release(): Promise<void>;
}

export type SessionFactory = (graph: Uint8Array) => Promise<LabelAttentionSession>;

interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

interface OrtInferenceSessionLike {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/** The part of `onnxruntime-web` / `onnxruntime-node` this module uses. */
export interface OrtModule<SessionOptions> {
  InferenceSession: { create(model: Uint8Array, options?: SessionOptions): Promise<OrtInferenceSessionLike> };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => OrtTensorLike;
}

function floats(output: OrtTensorLike | undefined, name: string): Float32Array {
  if (output === undefined || !(output.data instanceof Float32Array)) {
    throw new Error(`model graph: output "${name}" missing or not float32`);
  }
  return output.data;
}

export function ortSessionFactory<SessionOptions>(ort: OrtModule<SessionOptions>, options?: SessionOptions): SessionFactory {
  return async (graph) => {
    const session = await ort.InferenceSession.create(graph, options);
    return {
      async run(inputIds) {
        const dims = [1, inputIds.length];
        const feeds = {
          input_ids: new ort.Tensor('int64', inputIds, dims),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(inputIds.length).fill(1n), dims),
        };
        const outputs = await session.run(feeds);
        return { logits: floats(outputs.logits, 'logits'), labelAttention: floats(outputs.label_attention, 'label_attention') };
      },
      release: () => session.release(),
    };
  };
}
