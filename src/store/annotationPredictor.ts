/** The inference worker's batch API, shaped as the annotation store's BatchPredictor. */
import type { ClassifyResult, ModelInfo } from '../worker/api';
import { callback, inferenceWorker } from '../worker/bridge';
import type { BatchPredictor } from './annotationPrediction';
import { rememberResult } from './heatmap';

function scoresOf(result: ClassifyResult): Record<string, number> {
  return Object.fromEntries(result.labels.map((label) => [label.name, label.probability]));
}

/** The labels the worker predicted (its thresholds or argmax, core/postprocess.predictLabels): not derived again here. */
function predictedOf(result: ClassifyResult): string[] {
  return result.labels.filter((label) => label.predicted).map((label) => label.name);
}

export function workerPredictor(info: ModelInfo): BatchPredictor {
  return {
    model: {
      id: info.id,
      version: info.version,
      task: info.task,
      labels: info.labels.map(({ name, threshold }) => ({ name, threshold })),
    },
    async predict(docs, onResult, onProgress) {
      const texts = new Map(docs.map((doc) => [doc.key, doc.text]));
      const failures: string[] = [];
      let received = 0;
      let onReceived: (() => void) | null = null;
      const summary = await inferenceWorker().classifyMany(
        docs.map((doc) => ({ id: doc.key, text: doc.text })),
        callback((item) => {
          received++;
          onReceived?.();
          if ('error' in item) {
            failures.push(`${item.id}: ${item.error}`);
            return;
          }
          rememberResult(item.id, texts.get(item.id) ?? '', item.result);
          onResult(item.id, { scores: scoresOf(item.result), predicted: predictedOf(item.result) });
        }),
        callback((progress) => onProgress(progress.done, progress.total)),
      );
      // Callbacks travel on their own message channel: the summary can arrive before the last results.
      while (received < summary.done) {
        await new Promise<void>((resolve) => {
          onReceived = resolve;
        });
      }
      if (failures.length > 0) {
        const shown = failures.slice(0, 3).join('; ');
        throw new Error(`${summary.failed} document(s) could not be predicted (${shown}${failures.length > 3 ? '; ...' : ''})`);
      }
    },
    cancel() {
      void inferenceWorker().cancelBatch();
    },
  };
}
