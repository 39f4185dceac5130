/**
 * The annotation store's state and actions (src/store/annotation.ts creates the store), and the few steps every
 * action shares: the write queue, saving documents, the queue order, the undo history.
 */

import type { IncomingDoc, ScoreUpdate } from './annotationDocs';
import type { SessionWriter } from './annotationPersistence';
import { writeQueue } from './annotationPersistence';
import type { BatchPredictor, PredictionProgress } from './annotationPrediction';
import { orderQueue, type QueueFilter, type QueueSort } from './annotationQueue';
import type { TabRole } from './annotationSession';
import { type AnnotatedDoc, DEFAULT_SETTINGS, loadSettings, type SessionSettings } from './db';
import { EMPTY_HISTORY, type HistoryEntry, recorded, type UndoHistory } from './undoHistory';

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

export type AnnotationStore = AnnotationState & AnnotationActions;

export const INITIAL_STATE: AnnotationState = {
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
};

/** What the store's action groups share (they are created inside one zustand store, with its set and get). */
export interface StoreKit {
  set(partial: Partial<AnnotationStore>): void;
  get(): AnnotationStore;
  /** Every action that reads then writes runs in this queue, so a fast key sequence applies in order. */
  enqueue<T>(action: () => Promise<T>): Promise<T>;
  writer(): SessionWriter;
  refreshOrder(): void;
  currentDoc(): AnnotatedDoc | null;
  persistDocs(changed: AnnotatedDoc[], alongside?: () => Partial<AnnotationState>): Promise<void>;
  commit(entry: HistoryEntry, docsAfter: AnnotatedDoc[], alongside?: Partial<AnnotationState>): Promise<void>;
  setHistory(history: UndoHistory): void;
  reloadAll(): Promise<void>;
}

export function storeKit(set: StoreKit['set'], get: StoreKit['get']): StoreKit {
  const enqueue = writeQueue((delta) => set({ pendingSaves: get().pendingSaves + delta }));

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

  async function reloadAll(): Promise<void> {
    const { db } = writer();
    const [settings, all] = await Promise.all([loadSettings(db), db.docs.orderBy('order').toArray()]);
    set({ settings, docs: new Map(all.map((doc) => [doc.key, doc] as const)) });
    refreshOrder();
  }

  return { set, get, enqueue, writer, refreshOrder, currentDoc, persistDocs, commit, setHistory, reloadAll };
}
