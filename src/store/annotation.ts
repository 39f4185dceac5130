/**
 * The annotation session: the documents, the queue as shown, the decisions and their undo history, saved to
 * IndexedDB by the one tab that holds the session. The store's state and shared steps are in annotationState.ts,
 * the tab's hold on the session and its notes in annotationTabs.ts; decisions are computed in annotationDocs.ts,
 * saved through annotationPersistence.ts, and batch scores arrive through annotationPrediction.ts.
 */
import { create } from 'zustand';
import { errorMessage } from '../core/errors';
import { classifierInput } from '../io/document';
import {
  changeOf,
  neighbourKey,
  newDocuments,
  nextToReview,
  predictionAccepted,
  reviewed,
  unknownLabels,
  withDecision,
  withLabelToggled,
  withScores,
} from './annotationDocs';
import { documentsToPredict, runBatch } from './annotationPrediction';
import { bulkAcceptable, orderAfterDecisions } from './annotationQueue';
import { type AnnotationStore, INITIAL_STATE, storeKit } from './annotationState';
import { tabActions } from './annotationTabs';
import type { AnnotatedDoc, AnnotationDb, SessionSettings } from './db';
import { type Direction, EMPTY_HISTORY, type HistoryEntry, SIDE_OF, settled, taken } from './undoHistory';

export type { IncomingDoc, ScoreUpdate } from './annotationDocs';
export { docKeyOf } from './annotationDocs';
export { mayWrite } from './annotationPersistence';
export type { BatchPredictor, PredictedScores, PredictionProgress } from './annotationPrediction';
export type { AnnotationActions, AnnotationState, AnnotationStore, ImportOutcome } from './annotationState';

const IMPORT_CHUNK = 500;

export function classifierText(doc: AnnotatedDoc, input: SessionSettings['classifierInput']): string {
  return classifierInput({ id: doc.id, title: doc.title, text: doc.text }, input).text;
}

export const useAnnotation = create<AnnotationStore>()((set, get) => {
  const kit = storeKit(set, get);
  const { enqueue, writer, refreshOrder, currentDoc, persistDocs, commit, setHistory } = kit;

  function review(kind: 'accept' | 'skip'): Promise<void> {
    return enqueue(async () => {
      const doc = currentDoc();
      if (!doc) return;
      const { order, settings, docs, filter } = get();
      const next = nextToReview(order, docs, doc.key);
      const after = reviewed(doc, kind, settings.annotator, Date.now());
      const shown = orderAfterDecisions(order, [after], filter);
      // Saved first: the view moves on in the same update that shows the saved document.
      await commit({ focus: doc.key, changes: [changeOf(doc, after)] }, [after], { currentKey: next, ...(shown ? { order: shown } : {}) });
      if (!shown) refreshOrder();
    });
  }

  /** Undo or redo: the entry leaves its stack at once (a second Ctrl+Z takes the next one) and returns there if the save fails. */
  async function step(direction: Direction): Promise<void> {
    const next = taken(get().history, direction);
    if (!next) return;
    const { entry } = next;
    setHistory(next.history);
    let replayed = false;
    try {
      await enqueue(async () => {
        const docs = get().docs;
        const changed: AnnotatedDoc[] = [];
        for (const change of entry.changes) {
          const doc = docs.get(change.key);
          if (doc) changed.push(withDecision(doc, change[SIDE_OF[direction]]));
        }
        await persistDocs(changed);
        set({ currentKey: entry.focus });
        refreshOrder();
        // A document the filter now hides must still be shown to the annotator who just brought it back.
        if (!get().order.includes(entry.focus)) set({ order: [entry.focus, ...get().order] });
      });
      replayed = true;
    } finally {
      setHistory(settled(get().history, direction, entry, replayed));
    }
  }

  return {
    ...INITIAL_STATE,
    ...tabActions(kit),

    dismissStorageError() {
      set({ storageError: null });
    },

    select(key) {
      set({ currentKey: key });
    },

    move(delta) {
      const { order, currentKey } = get();
      set({ currentKey: neighbourKey(order, currentKey, delta) });
    },

    setSort(sort) {
      set({ sort });
      refreshOrder();
    },

    setFilter(filter) {
      set({ filter });
      refreshOrder();
    },

    toggleLabel(label) {
      return enqueue(async () => {
        const doc = currentDoc();
        if (!doc) return;
        const after = withLabelToggled(doc, label, get().settings, Date.now());
        await commit({ focus: doc.key, changes: [changeOf(doc, after)] }, [after]);
      });
    },

    accept: () => review('accept'),
    skip: () => review('skip'),

    setSettings(patch) {
      return enqueue(async () => {
        const settings = { ...get().settings, ...patch };
        // A read-only tab changes its view only; the active tab's settings arrive with its next reload.
        if (writer().mayWrite) await writer().saveSettings(settings);
        set({ settings });
        if (patch.labels || patch.thresholds || patch.task) refreshOrder();
      });
    },

    undo: () => step('undo'),
    redo: () => step('redo'),

    bulkAccept(minConfidence) {
      return enqueue(async () => {
        const { order, docs, settings } = get();
        const now = Date.now();
        const changes: HistoryEntry['changes'] = [];
        const after: AnnotatedDoc[] = [];
        for (const key of order) {
          const doc = docs.get(key);
          if (!bulkAcceptable(doc, settings, minConfidence)) continue;
          const accepted = predictionAccepted(doc, settings.annotator, now);
          changes.push(changeOf(doc, accepted));
          after.push(accepted);
        }
        if (after.length === 0) return 0;
        await commit({ focus: get().currentKey ?? after[0]?.key ?? '', changes }, after);
        refreshOrder();
        return after.length;
      });
    },

    importDocs(incoming, onProgress) {
      return enqueue(async () => {
        const { docs, settings } = get();
        const { fresh, duplicates } = newDocuments(docs, incoming, Date.now());
        for (let start = 0; start < fresh.length; start += IMPORT_CHUNK) {
          await persistDocs(fresh.slice(start, start + IMPORT_CHUNK));
          onProgress?.(Math.min(fresh.length, start + IMPORT_CHUNK));
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        // Labels found in imported decisions join the session so a re-imported export keeps them.
        const extra = unknownLabels(settings.labels, fresh);
        if (extra.length > 0) {
          const next = { ...settings, labels: [...settings.labels, ...extra] };
          await writer().saveSettings(next);
          set({ settings: next });
        }
        refreshOrder();
        writer().session.post({ type: 'reload' });
        return { imported: fresh.length, duplicates };
      });
    },

    adoptModel(model) {
      const { labels } = get().settings;
      const modelLabels = model.labels.map((label) => label.name);
      const merged = [...modelLabels, ...labels.filter((label) => !modelLabels.includes(label))];
      const thresholds = Object.fromEntries(model.labels.map((label) => [label.name, label.threshold]));
      return get().setSettings({ labels: merged, thresholds, task: model.task });
    },

    applyScores(updates) {
      return enqueue(async () => {
        const current = get().docs;
        const now = Date.now();
        const changed: AnnotatedDoc[] = [];
        for (const update of updates) {
          const doc = current.get(update.key);
          if (doc) changed.push(withScores(doc, update, now));
        }
        await persistDocs(changed);
        refreshOrder();
      });
    },

    async startPrediction(predictor) {
      if (get().batch) return;
      const { order, docs, settings } = get();
      const todo = documentsToPredict(order, docs, predictor.model).map((doc) => ({
        key: doc.key,
        text: classifierText(doc, settings.classifierInput),
      }));
      if (todo.length === 0) return;
      const batch = { predictor, cancelled: false };
      set({ batch, prediction: { running: true, done: 0, total: todo.length, error: null } });
      try {
        await runBatch(predictor, todo, get().applyScores, (done, total) => set({ prediction: { ...get().prediction, done, total } }));
        set({ prediction: { ...get().prediction, running: false } });
      } catch (error) {
        set({ prediction: { ...get().prediction, running: false, error: errorMessage(error) } });
      } finally {
        set({ batch: null });
      }
      // Documents imported while this batch ran get their turn now (unless the annotator cancelled).
      if (!batch.cancelled && get().prediction.error === null) await get().startPrediction(predictor);
    },

    cancelPrediction() {
      const { batch } = get();
      if (!batch) return;
      batch.cancelled = true;
      batch.predictor.cancel();
    },

    allDocs() {
      return Array.from(get().docs.values()).sort((a, b) => a.order - b.order);
    },

    clearSession() {
      return enqueue(async () => {
        await writer().clearDocs();
        setHistory(EMPTY_HISTORY);
        set({ docs: new Map(), order: [], currentKey: null });
        writer().session.post({ type: 'reload' });
      });
    },
  };
});

/** Teach (issue 19): the session's database and this tab's id, for the scheme, its features and its trainings (teach.ts). */
export function sessionHandle(): { db: AnnotationDb; tabId: string } | null {
  const { writer } = useAnnotation.getState();
  return writer ? { db: writer.db, tabId: writer.session.tabId } : null;
}

// The actions as plain functions, the names the views and other stores call (stable: they never change).
export const {
  initAnnotation,
  takeOver,
  dismissStorageError,
  select,
  move,
  setSort,
  setFilter,
  toggleLabel,
  accept,
  skip,
  setNote,
  setSettings,
  undo,
  redo,
  bulkAccept,
  importDocs,
  adoptModel,
  applyScores,
  startPrediction,
  cancelPrediction,
  allDocs,
  clearSession,
} = useAnnotation.getState();
