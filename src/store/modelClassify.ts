/** The classify view's state: the text, the run in flight, its result and the labels being inspected. */

import { create } from 'zustand';
import { errorMessage } from '../core/errors';
import type { ClassifyResult, RunProgress } from '../worker/api';
import { callback, inferenceWorker } from '../worker/bridge';
import { useModelStore } from './model';

export type ClassifyRun =
  | { status: 'idle' }
  | { status: 'running'; progress: RunProgress | null }
  | { status: 'done'; result: ClassifyResult; text: string; runId: number }
  | { status: 'refused'; message: string }
  | { status: 'cancelled' }
  | { status: 'error'; error: string };

interface ClassifyState {
  text: string;
  /** The built-in example the text came from, while it is unedited. */
  exampleId: string | null;
  run: ClassifyRun;
  /** The label whose heatmap is shown, and an optional second one shown beside it. */
  primaryLabel: string | null;
  compareLabel: string | null;
  setText(text: string, exampleId?: string): void;
  classify(): Promise<void>;
  cancel(): void;
  showLabel(name: string): void;
  toggleCompare(name: string): void;
}

/** Counts runs so a finished run that was superseded doesn't overwrite a newer one. */
let runCounter = 0;

export const useClassifyStore = create<ClassifyState>()((set, get) => ({
  text: '',
  exampleId: null,
  run: { status: 'idle' },
  primaryLabel: null,
  compareLabel: null,

  setText(text, exampleId) {
    set({ text, exampleId: exampleId ?? null });
  },

  async classify() {
    const { text } = get();
    if (text.trim().length === 0 || useModelStore.getState().load.status !== 'ready') return;
    const runId = ++runCounter;
    set({ run: { status: 'running', progress: null } });
    // Progress arrives on its own message port and can land after the result: drop it once the run settled.
    const onProgress = (progress: RunProgress) => {
      if (runId === runCounter && get().run.status === 'running') set({ run: { status: 'running', progress } });
    };
    try {
      const outcome = await inferenceWorker().classify(text, callback(onProgress));
      if (runId !== runCounter) return;
      if (outcome === null) {
        set({ run: { status: 'cancelled' } });
      } else if ('refused' in outcome) {
        set({ run: { status: 'refused', message: outcome.refused } });
      } else {
        useModelStore.getState().noteRunBackend(outcome.backend);
        const { primaryLabel, compareLabel } = get();
        const names = outcome.labels.map((label) => label.name);
        // Keep the labels being inspected when they still exist; otherwise show the most probable one.
        const top = [...outcome.labels].sort((a, b) => b.probability - a.probability)[0]?.name ?? null;
        set({
          run: { status: 'done', result: outcome, text, runId },
          primaryLabel: primaryLabel && names.includes(primaryLabel) ? primaryLabel : top,
          compareLabel: compareLabel && names.includes(compareLabel) ? compareLabel : null,
        });
      }
    } catch (error) {
      if (runId === runCounter) set({ run: { status: 'error', error: errorMessage(error) } });
    }
  },

  cancel() {
    void inferenceWorker().cancelClassify();
  },

  showLabel(name) {
    set((state) => ({ primaryLabel: name, compareLabel: state.compareLabel === name ? null : state.compareLabel }));
  },

  toggleCompare(name) {
    set((state) => {
      if (state.primaryLabel === name) return {};
      return { compareLabel: state.compareLabel === name ? null : name };
    });
  },
}));

// A result belongs to the model that produced it: clear it when another model is selected.
useModelStore.subscribe((state, previous) => {
  if (state.selectedId !== previous.selectedId) {
    runCounter += 1;
    useClassifyStore.setState({ run: { status: 'idle' }, primaryLabel: null, compareLabel: null });
  }
});
