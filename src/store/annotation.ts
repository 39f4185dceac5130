// Over 300 lines: one zustand store, its state and its ~20 actions with their types; the logic they call lives in annotationDocs, undoHistory, annotationPersistence and annotationPrediction.
/**
 * The annotation session: the documents, the queue as shown, the decisions and their undo history, saved to
 * IndexedDB by the one tab that holds the session. Decisions are computed in src/store/annotationDocs.ts, saved
 * through src/store/annotationPersistence.ts, and batch scores arrive through src/store/annotationPrediction.ts.
 */
import { create } from 'zustand';
import { errorMessage } from '../core/errors';
import { classifierInput } from '../io/document';
import {
  changeOf,
  type IncomingDoc,
  neighbourKey,
  newDocuments,
  nextToReview,
  predictionAccepted,
  reviewed,
  type ScoreUpdate,
  unknownLabels,
  withDecision,
  withLabelToggled,
  withScores,
} from './annotationDocs';
import { mayWrite, SessionWriter, writeQueue } from './annotationPersistence';
import { type BatchPredictor, documentsToPredict, type PredictionProgress, runBatch } from './annotationPrediction';
import { bulkAcceptable, orderAfterDecisions, orderQueue, type QueueFilter, type QueueSort } from './annotationQueue';
import { type SessionMessage, type TabRole, TabSession } from './annotationSession';
import { type AnnotatedDoc, AnnotationDb, claimOwnership, DEFAULT_SETTINGS, loadSettings, NotOwnerError, type SessionSettings } from './db';
import { type Direction, EMPTY_HISTORY, type HistoryEntry, recorded, SIDE_OF, settled, taken, type UndoHistory } from './undoHistory';

export type { IncomingDoc, ScoreUpdate } from './annotationDocs';
export { docKeyOf } from './annotationDocs';
export { mayWrite } from './annotationPersistence';
export type { BatchPredictor, PredictedScores, PredictionProgress } from './annotationPrediction';

export interface ImportOutcome {
  imported: number;
  duplicates: number;
}

type PersistState = 'unknown' | 'granted' | 'refused' | 'unsupported';

export interface AnnotationState {
  ready: boolean;
  role: TabRole;
  persist: PersistState;
  /** Set when a write failed because the disk or quota is full; the UI offers an export. */
  storageError: string | null;
  settings: SessionSettings;
  docs: ReadonlyMap<string, AnnotatedDoc>;
  sort: QueueSort;
  filter: QueueFilter;
  /** Keys of the queue as shown (filtered + sorted). */
  order: string[];
  currentKey: string | null;
  history: UndoHistory;
  canUndo: boolean;
  canRedo: boolean;
  prediction: PredictionProgress;
  /** Writes queued or running: the page shows "saving…" and warns before unload while there are any. */
  pendingSaves: number;
  /** Notes whose save failed (another tab took over, disk full), by document key: kept, shown, and retried. */
  unsavedNotes: ReadonlyMap<string, string>;
  /** The database and this tab's hold on it, once opened. */
  writer: SessionWriter | null;
  /** The batch running now; `cancelled` once the annotator stopped it (it does not start again by itself). */
  batch: { predictor: BatchPredictor; cancelled: boolean } | null;
}

export interface AnnotationActions {
  initAnnotation(databaseName?: string): Promise<void>;
  takeOver(): void;
  dismissStorageError(): void;
  select(key: string): void;
  move(delta: number): void;
  setSort(sort: QueueSort): void;
  setFilter(filter: QueueFilter): void;
  /** Toggle one label of the current document's decision (saved at once; status unchanged until accepted). */
  toggleLabel(label: string): Promise<void>;
  /** Accept the current document's decision, save, then move to the next one. */
  accept(): Promise<void>;
  skip(): Promise<void>;
  /** Saves a note; one that cannot be saved is kept in `unsavedNotes` and retried (or handed to the tab that took over). */
  setNote(key: string, note: string): Promise<void>;
  setSettings(patch: Partial<SessionSettings>): Promise<void>;
  undo(): Promise<void>;
  redo(): Promise<void>;
  /** Accept the model's prediction on every unreviewed, predicted document of the shown queue at or above a confidence. */
  bulkAccept(minConfidence: number): Promise<number>;
  /** Add documents, skipping any whose PMID/id is already there; written in chunks so the page stays responsive. */
  importDocs(incoming: IncomingDoc[], onProgress?: (written: number) => void): Promise<ImportOutcome>;
  /** Use a loaded model's labels and thresholds for this session (labels already in the session stay). */
  adoptModel(model: BatchPredictor['model']): Promise<void>;
  /** Saves scores from any scorer into their documents (unknown keys are skipped). */
  applyScores(updates: ScoreUpdate[]): Promise<void>;
  /** Predict every document the model has not scored yet, the queue as shown first; saved in small batches. */
  startPrediction(predictor: BatchPredictor): Promise<void>;
  cancelPrediction(): void;
  /** Every document of the session, in import order (for export). */
  allDocs(): AnnotatedDoc[];
  /** "Clear session": delete every document and the undo history (settings stay). */
  clearSession(): Promise<void>;
}

const LOCK_NAME = 'labelwise-annotate';
const IMPORT_CHUNK = 500;
/** How often notes whose save failed are tried again. */
const NOTE_RETRY_MS = 2_000;
const STORAGE_FULL =
  'The browser has no room left to save your work (disk full or storage quota used up). The last change was NOT saved. Export your work now, then free some space.';

export function classifierText(doc: AnnotatedDoc, input: SessionSettings['classifierInput']): string {
  return classifierInput({ id: doc.id, title: doc.title, text: doc.text }, input).text;
}

export const useAnnotation = create<AnnotationState & AnnotationActions>()((set, get) => {
  /** Every action that reads then writes runs in this queue, so a fast key sequence applies in order. */
  const enqueue = writeQueue((delta) => set({ pendingSaves: get().pendingSaves + delta }));
  /** Messages from other tabs, handled in the order they came. */
  let messages: Promise<void> = Promise.resolve();

  function writer(): SessionWriter {
    const current = get().writer;
    if (!current) throw new Error('The annotation store is not initialised.');
    return current;
  }

  function refreshOrder(): void {
    const { docs, sort, filter, settings, currentKey } = get();
    const order = orderQueue(docs.values(), sort, filter, settings);
    set({ order, currentKey: currentKey ?? order[0] ?? null });
  }

  function currentDoc(): AnnotatedDoc | null {
    const { currentKey, docs } = get();
    return currentKey ? (docs.get(currentKey) ?? null) : null;
  }

  /**
   * Saves documents, then updates memory in one store update with `alongside` (read once saved, so it sees the
   * state of that moment); a refused save changes nothing and throws.
   */
  async function persistDocs(changed: AnnotatedDoc[], alongside: () => Partial<AnnotationState> = () => ({})): Promise<void> {
    const session = writer();
    await session.putDocs(changed);
    const docs = new Map(get().docs);
    for (const doc of changed) docs.set(doc.key, doc);
    set({ docs, ...alongside() });
    session.session.post({ type: 'changed', keys: changed.map((doc) => doc.key) });
  }

  /** Saves a change that can be undone. */
  function commit(entry: HistoryEntry, docsAfter: AnnotatedDoc[], alongside: Partial<AnnotationState> = {}): Promise<void> {
    // The history as it is once saved: an undo may have taken an entry meanwhile.
    return persistDocs(docsAfter, () => ({ ...alongside, history: recorded(get().history, entry), canUndo: true, canRedo: false }));
  }

  function setHistory(history: UndoHistory): void {
    set({ history, canUndo: history.undo.length > 0, canRedo: history.redo.length > 0 });
  }

  function keepUnsavedNote(key: string, note: string | undefined): void {
    const unsavedNotes = new Map(get().unsavedNotes);
    if (note === undefined) unsavedNotes.delete(key);
    else unsavedNotes.set(key, note);
    set({ unsavedNotes });
  }

  /** Saves kept notes again where this tab may write; a read-only tab hands them to the active one until its copy shows them. */
  function retryUnsavedNotes(): void {
    const { role, unsavedNotes } = get();
    for (const [key, note] of unsavedNotes) {
      if (mayWrite(role))
        void get()
          .setNote(key, note)
          .catch(() => {});
      else get().writer?.session.post({ type: 'note', key, note });
    }
  }

  async function reloadAll(): Promise<void> {
    const { db } = writer();
    const [settings, all] = await Promise.all([loadSettings(db), db.docs.orderBy('order').toArray()]);
    set({ settings, docs: new Map(all.map((doc) => [doc.key, doc] as const)) });
    refreshOrder();
  }

  async function onMessage(message: SessionMessage): Promise<void> {
    if (message.type === 'note') {
      if (get().role === 'active') await get().setNote(message.key, message.note);
      return;
    }
    if (get().role === 'active') return;
    if (message.type === 'changed') {
      const fresh = await writer().db.docs.bulkGet(message.keys);
      const docs = new Map(get().docs);
      for (const doc of fresh) if (doc) docs.set(doc.key, doc);
      set({ docs });
      // A note this tab handed over is saved once the active tab's copy has it.
      for (const doc of fresh) if (doc && get().unsavedNotes.get(doc.key) === doc.note) keepUnsavedNote(doc.key, undefined);
      refreshOrder();
    } else {
      await reloadAll();
      // A tab took over: hand it the notes this tab could not save now, not at the next retry (it dropped any that
      // arrived while it was still loading the session).
      if (message.type === 'owner') retryUnsavedNotes();
    }
  }

  async function requestPersistence(): Promise<void> {
    if (!navigator.storage?.persist) {
      set({ persist: 'unsupported' });
      return;
    }
    const already = await navigator.storage.persisted();
    const granted = already || (await navigator.storage.persist());
    set({ persist: granted ? 'granted' : 'refused' });
  }

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
    ready: false,
    role: 'starting',
    persist: 'unknown',
    storageError: null,
    settings: DEFAULT_SETTINGS,
    docs: new Map(),
    sort: { by: 'uncertainty' },
    filter: { statuses: new Set(), label: null },
    order: [],
    currentKey: null,
    history: EMPTY_HISTORY,
    canUndo: false,
    canRedo: false,
    prediction: { running: false, done: 0, total: 0, error: null },
    pendingSaves: 0,
    unsavedNotes: new Map(),
    writer: null,
    batch: null,

    async initAnnotation(databaseName = 'labelwise-annotate') {
      if (get().writer) return;
      const db = new AnnotationDb(databaseName);
      const session = new TabSession(`${LOCK_NAME}:${databaseName}`, {
        onAcquire: async () => {
          await claimOwnership(db, session.tabId);
          // Whatever the previous owner wrote up to the hand-over is what we continue from.
          setHistory(EMPTY_HISTORY);
          await reloadAll();
        },
        onRole: (role) => {
          if (role === 'read-only') get().cancelPrediction();
          set({ role });
          if (role === 'active') retryUnsavedNotes();
        },
        onMessage: (message) => {
          messages = messages.then(() => onMessage(message)).catch(() => {});
        },
      });
      set({
        writer: new SessionWriter(db, session, () => get().role, {
          onLostOwnership: () => set({ role: 'read-only' }),
          onStorageFull: () => set({ storageError: STORAGE_FULL }),
        }),
      });
      void requestPersistence();
      await reloadAll();
      set({ ready: true });
      session.start();
      setInterval(retryUnsavedNotes, NOTE_RETRY_MS);
      // Closing the page while a save is queued or a note is unsaved would lose it: the browser asks first.
      window.addEventListener('beforeunload', (event) => {
        if (get().pendingSaves > 0 || get().unsavedNotes.size > 0) event.preventDefault();
      });
    },

    takeOver() {
      writer().session.takeOver();
    },

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

    setNote(key, note) {
      return enqueue(async () => {
        const doc = get().docs.get(key);
        if (!doc) return;
        if (doc.note === note) return keepUnsavedNote(key, undefined);
        try {
          await persistDocs([{ ...doc, note, updatedAt: Date.now() }]);
          keepUnsavedNote(key, undefined);
        } catch (error) {
          keepUnsavedNote(key, note);
          if (error instanceof NotOwnerError) get().writer?.session.post({ type: 'note', key, note });
          throw error;
        }
      });
    },

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
