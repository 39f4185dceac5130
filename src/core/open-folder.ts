/**
 * Opens any model folder that classifies, fine-tuned or taught (docs/model-contract.md), on the caller's ONNX
 * Runtime: one path for the inference worker (onnxruntime-web) and the CLI (onnxruntime-node).
 */
import { type Classifier, createClassifierWithBorderline } from './classifier';
import type { EncoderSession } from './learner/encoder';
import { createTaughtClassifier, loadTaughtFolder, modelFolderKind } from './learner/taught-folder';
import { ModelFolderError, type Precision } from './manifest';
import { loadModelFolder, type ReadModelFile } from './model-folder';
import type { SessionFactory } from './session';

/** How the caller opens graphs on its runtime. */
export interface FolderSessions {
  /** A fine-tuned folder's label-attention graph at the precision asked for. */
  openSession: SessionFactory;
  /** Its borderline graph, opened on the first borderline document (default: openSession). */
  openBorderline?: SessionFactory;
  /** Whether the folder ships a file (the page knows from models/index.json); by default it is taken to. */
  ships?: (file: string) => boolean;
  /** A taught folder's encoder graph (input_ids, attention_mask -> hidden_states). */
  openEncoder: (graph: Uint8Array) => Promise<EncoderSession>;
}

export interface OpenedFolder {
  kind: 'classifier' | 'taught';
  classifier: Classifier;
  /** The graph file the classifier runs. */
  graphFile: string;
}

/** Loads the folder `read` reads and opens its graph; a taught folder runs its encoder's int8 graph only. */
export async function openModelFolder(read: ReadModelFile, precision: Precision, sessions: FolderSessions): Promise<OpenedFolder> {
  if ((await modelFolderKind(read)) === 'taught') {
    // Checked before loading: the encoder graph is tens of MB.
    if (precision !== 'int8')
      throw new ModelFolderError('model.json', `files.${precision}`, "a taught model runs its encoder's int8 graph only");
    const taught = await loadTaughtFolder(read);
    const classifier = createTaughtClassifier(taught, await sessions.openEncoder(taught.graph));
    return { kind: 'taught', classifier, graphFile: taught.manifest.files.int8 as string };
  }
  const model = await loadModelFolder(read, { precision });
  const classifier = createClassifierWithBorderline(model, await sessions.openSession(model.graph), {
    read,
    openSession: sessions.openBorderline ?? sessions.openSession,
    ships: sessions.ships,
  });
  return { kind: 'classifier', classifier, graphFile: model.graphFile };
}
