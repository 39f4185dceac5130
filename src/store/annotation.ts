// Over 300 lines: the whole annotation store for now; issue 15 splits it by concern (document decisions, undo history, persistence, batch prediction).
import { create } from 'zustand';
import { classifierInput, type SentenceSpan } from '../io/document';
import type { ReviewRecord } from '../io/export';
import { acceptedStatus, bulkAcceptable, orderAfterDecisions, orderQueue, type QueueFilter, type QueueSort } from './annotationQueue';
import { type SessionMessage, type TabRole, TabSession } from './annotationSession';
import {
  type AnnotatedDoc,
  AnnotationDb,
  claimOwnership,
  DEFAULT_SETTINGS,
  type DecisionState,
  type DocStatus,
  isQuotaError,
  loadSettings,
  NotOwnerError,
  putDocsAsOwner,
  REVIEWED_STATUSES,
  type SessionSettings,
  saveSettingsAsOwner,
} from './db';

/** A document arriving from an import (or a previous export being re-imported). */
export interface IncomingDoc {
  id: string;
  pmid?: string;
  title?: string;
  text: string;
  sentences?: SentenceSpan[] | null;
  /** Gold labels or a previous human decision. */
  labels?: string[];
  status?: DocStatus;
  scores?: Record<string, number>;
  predicted?: string[];
  model?: { id: string; version: string };
  note?: string;
  annotator?: string;
  importedAt?: number;
  predictedAt?: number;
  reviewedAt?: number;
  extra?: Record<string, unknown>;
  review?: ReviewRecord;
  /** When the work was last changed (an earlier export's updated_at); default: the import time. */
  updatedAt?: number;
}

export interface ImportOutcome {
  imported: number;
  duplicates: number;
}

/** What the annotation view needs from a loaded model to predict a batch (see src/ui/annotate/predictor.ts). */
export interface BatchPredictor {
  model: { id: string; version: string; task: SessionSettings['task']; labels: { name: string; threshold: number }[] };
  predict(
    docs: { key: string; text: string }[],
    onResult: (key: string, scores: Record<string, number>) => void,
    onProgress: (done: number, total: number) => void,
  ): Promise<void>;
  cancel(): void;
}

export interface PredictionProgress {
  running: boolean;
  done: number;
  total: number;
  error: string | null;
}

type PersistState = 'unknown' | 'granted' | 'refused' | 'unsupported';

interface UndoEntry {
  focus: string;
  changes: { key: string; before: DecisionState; after: DecisionState }[];
}

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
  canUndo: boolean;
  canRedo: boolean;
  prediction: PredictionProgress;
  /** Writes queued or running: the page shows "saving…" and warns before unload while there are any. */
  pendingSaves: number;
  /** Notes whose save failed (another tab took over, disk full), by document key: kept, shown, and retried. */
  unsavedNotes: ReadonlyMap<string, string>;
}

const LOCK_NAME = 'labelwise-annotate';
const IMPORT_CHUNK = 500;
const PREDICTION_FLUSH_MS = 300;

export function docKeyOf(doc: { id: string; pmid?: string }): string {
  return doc.pmid ? `pmid:${doc.pmid}` : `id:${doc.id}`;
}

export function decisionStateOf(doc: AnnotatedDoc): DecisionState {
  return {
    status: doc.status,
    decision: doc.decision,
    note: doc.note,
    annotator: doc.annotator,
    reviewedAt: doc.reviewedAt,
    updatedAt: doc.updatedAt,
    edited: doc.edited,
  };
}

/** The string the classifier sees for a document, by the session setting. */
export function classifierText(doc: AnnotatedDoc, input: SessionSettings['classifierInput']): string {
  return classifierInput({ id: doc.id, title: doc.title, text: doc.text }, input).text;
}

export const useAnnotation = create<AnnotationState>(() => ({
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
  canUndo: false,
  canRedo: false,
  prediction: { running: false, done: 0, total: 0, error: null },
  pendingSaves: 0,
  unsavedNotes: new Map(),
}));

const get = useAnnotation.getState;
const set = useAnnotation.setState;

let db: AnnotationDb | null = null;
let session: TabSession | null = null;
/** Every action that reads then writes runs in this chain, so a fast key sequence applies in order. */
let chain: Promise<unknown> = Promise.resolve();
const undoStack: UndoEntry[] = [];
const redoStack: UndoEntry[] = [];
let activePredictor: BatchPredictor | null = null;
let predictionCancelled = false;

function enqueue<T>(action: () => Promise<T>): Promise<T> {
  set({ pendingSaves: get().pendingSaves + 1 });
  const next = chain.then(action).finally(() => set({ pendingSaves: get().pendingSaves - 1 }));
  chain = next.catch(() => {});
  return next;
}

/** How often notes whose save failed are tried again. */
const NOTE_RETRY_MS = 2_000;

function keepUnsavedNote(key: string, note: string | undefined): void {
  const unsavedNotes = new Map(get().unsavedNotes);
  if (note === undefined) unsavedNotes.delete(key);
  else unsavedNotes.set(key, note);
  set({ unsavedNotes });
}

/** Saves kept notes again where this tab may write; a read-only tab hands them to the active one (again, in case
 * it was still taking over when they were first sent) until its saved copy shows them. */
function retryUnsavedNotes(): void {
  const { role, unsavedNotes } = get();
  for (const [key, note] of unsavedNotes) {
    if (role === 'active' || role === 'unsupported') void setNote(key, note).catch(() => {});
    else session?.post({ type: 'note', key, note });
  }
}

function requireDb(): AnnotationDb {
  if (!db) throw new Error('The annotation store is not initialised.');
  return db;
}

function refreshOrder(): void {
  const { docs, sort, filter, settings, currentKey } = get();
  const order = orderQueue(docs.values(), sort, filter, settings);
  set({ order, currentKey: currentKey ?? order[0] ?? null });
}

/**
 * Write documents to IndexedDB as the owning tab, then update memory. A refused write (another tab took
 * over, disk full) leaves memory untouched and throws, so callers never move on past unsaved work.
 */
async function persistDocs(changed: AnnotatedDoc[], alongside: Partial<AnnotationState> = {}): Promise<void> {
  if (get().role !== 'active' && get().role !== 'unsupported') throw new NotOwnerError();
  const sessionNow = session;
  if (!sessionNow) throw new Error('The annotation store is not initialised.');
  try {
    await putDocsAsOwner(requireDb(), sessionNow.tabId, changed);
  } catch (error) {
    if (error instanceof NotOwnerError || (error as { inner?: unknown }).inner instanceof NotOwnerError) {
      set({ role: 'read-only' });
      throw new NotOwnerError();
    }
    if (isQuotaError(error)) {
      set({
        storageError:
          'The browser has no room left to save your work (disk full or storage quota used up). The last change was NOT saved. Export your work now, then free some space.',
      });
    }
    throw error;
  }
  const docs = new Map(get().docs);
  for (const doc of changed) docs.set(doc.key, doc);
  // One store update (one render) for the saved documents and whatever view change goes with them.
  set({ docs, ...alongside });
  sessionNow.post({ type: 'changed', keys: changed.map((doc) => doc.key) });
}

function applyDecision(doc: AnnotatedDoc, state: DecisionState): AnnotatedDoc {
  return { ...doc, ...state };
}

async function commitChanges(entry: UndoEntry, docsAfter: AnnotatedDoc[], alongside: Partial<AnnotationState> = {}): Promise<void> {
  await persistDocs(docsAfter, { ...alongside, canUndo: true, canRedo: false });
  undoStack.push(entry);
  redoStack.length = 0;
}

function neighbourKey(order: string[], key: string | null, delta: number): string | null {
  if (order.length === 0) return null;
  const index = key === null ? -1 : order.indexOf(key);
  if (index === -1) return order[0] ?? null;
  const target = Math.min(order.length - 1, Math.max(0, index + delta));
  return order[target] ?? null;
}

/** After a review: the next document of the queue; past the end, the first one still to review (else stay). */
function nextToReview(order: string[], docs: ReadonlyMap<string, AnnotatedDoc>, key: string): string {
  const index = order.indexOf(key);
  const following = order[index + 1];
  if (index >= 0 && following !== undefined) return following;
  const open = order.find((candidate) => candidate !== key && !REVIEWED_STATUSES.has(docs.get(candidate)?.status ?? 'new'));
  return open ?? key;
}

async function onMessage(message: SessionMessage): Promise<void> {
  if (message.type === 'note') {
    if (get().role === 'active') await setNote(message.key, message.note);
    return;
  }
  if (!db || get().role === 'active') return;
  if (message.type === 'changed') {
    const fresh = await db.docs.bulkGet(message.keys);
    const docs = new Map(get().docs);
    for (const doc of fresh) if (doc) docs.set(doc.key, doc);
    set({ docs });
    // A note this tab handed over is saved once the active tab's copy has it.
    for (const doc of fresh) if (doc && get().unsavedNotes.get(doc.key) === doc.note) keepUnsavedNote(doc.key, undefined);
    refreshOrder();
  } else {
    await reloadAll();
  }
}

async function reloadAll(): Promise<void> {
  const database = requireDb();
  const [settings, all] = await Promise.all([loadSettings(database), database.docs.orderBy('order').toArray()]);
  const docs = new Map(all.map((doc) => [doc.key, doc] as const));
  set({ settings, docs });
  refreshOrder();
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

export async function initAnnotation(databaseName = 'labelwise-annotate'): Promise<void> {
  if (db) return;
  db = new AnnotationDb(databaseName);
  const database = db;
  void requestPersistence();
  await reloadAll();
  set({ ready: true });
  session = new TabSession(`${LOCK_NAME}:${databaseName}`, {
    onAcquire: async () => {
      await claimOwnership(database, requireSession().tabId);
      // Whatever the previous owner wrote up to the hand-over is what we continue from.
      undoStack.length = 0;
      redoStack.length = 0;
      set({ canUndo: false, canRedo: false });
      await reloadAll();
    },
    onRole: (role) => {
      if (role === 'read-only') cancelPrediction();
      set({ role });
      if (role === 'active') retryUnsavedNotes();
    },
    onMessage: (message) => void onMessage(message).catch(() => {}),
  });
  session.start();
  setInterval(retryUnsavedNotes, NOTE_RETRY_MS);
  // Closing the page while a save is queued or a note is unsaved would lose it: the browser asks first.
  window.addEventListener('beforeunload', (event) => {
    if (get().pendingSaves > 0 || get().unsavedNotes.size > 0) event.preventDefault();
  });
}

/** Teach (issue 19): the session's database and this tab's id, for the scheme, its features and its trainings (teach.ts). */
export function sessionHandle(): { db: AnnotationDb; tabId: string } | null {
  return db && session ? { db, tabId: session.tabId } : null;
}

function requireSession(): TabSession {
  if (!session) throw new Error('The annotation store is not initialised.');
  return session;
}

export function takeOver(): void {
  requireSession().takeOver();
}

export function dismissStorageError(): void {
  set({ storageError: null });
}

export function select(key: string): void {
  set({ currentKey: key });
}

export function move(delta: number): void {
  const { order, currentKey } = get();
  set({ currentKey: neighbourKey(order, currentKey, delta) });
}

export function setSort(sort: QueueSort): void {
  set({ sort });
  refreshOrder();
}

export function setFilter(filter: QueueFilter): void {
  set({ filter });
  refreshOrder();
}

function currentDoc(): AnnotatedDoc | null {
  const { currentKey, docs } = get();
  return currentKey ? (docs.get(currentKey) ?? null) : null;
}

/** Toggle one label of the current document's decision (saved at once; status unchanged until accepted). */
export function toggleLabel(label: string): Promise<void> {
  return enqueue(async () => {
    const doc = currentDoc();
    if (!doc) return;
    const { labels, task } = get().settings;
    let decision: string[];
    if (task === 'single_label') decision = doc.decision.includes(label) ? [] : [label];
    else {
      const chosen = new Set(doc.decision);
      if (chosen.has(label)) chosen.delete(label);
      else chosen.add(label);
      // Keep the session's label order so exports are stable.
      decision = [...labels.filter((name) => chosen.has(name)), ...[...chosen].filter((name) => !labels.includes(name))];
    }
    const after: AnnotatedDoc = { ...doc, decision, edited: true, updatedAt: Date.now() };
    await commitChanges({ focus: doc.key, changes: [{ key: doc.key, before: decisionStateOf(doc), after: decisionStateOf(after) }] }, [
      after,
    ]);
  });
}

/** Review the current document (accept its decision, or skip it), save, then move to the next one. */
function review(kind: 'accept' | 'skip'): Promise<void> {
  return enqueue(async () => {
    const doc = currentDoc();
    if (!doc) return;
    const { order, settings, docs, filter } = get();
    const next = nextToReview(order, docs, doc.key);
    const now = Date.now();
    const status = kind === 'skip' ? 'skipped' : acceptedStatus(doc);
    const after: AnnotatedDoc = { ...doc, status, annotator: settings.annotator, reviewedAt: now, updatedAt: now };
    const shown = orderAfterDecisions(order, [after], filter);
    const entry = { focus: doc.key, changes: [{ key: doc.key, before: decisionStateOf(doc), after: decisionStateOf(after) }] };
    // Saved first: the view moves on in the same update that shows the saved document.
    await commitChanges(entry, [after], { currentKey: next, ...(shown ? { order: shown } : {}) });
    if (!shown) refreshOrder();
  });
}

export const accept = () => review('accept');
export const skip = () => review('skip');

/**
 * Saves a note. One that cannot be saved is kept in `unsavedNotes` and retried; when another tab took over, that
 * tab is handed the note to save, so a note typed just before a take-over is not lost.
 */
export function setNote(key: string, note: string): Promise<void> {
  return enqueue(async () => {
    const doc = get().docs.get(key);
    if (!doc) return;
    if (doc.note === note) return keepUnsavedNote(key, undefined);
    try {
      await persistDocs([{ ...doc, note, updatedAt: Date.now() }]);
      keepUnsavedNote(key, undefined);
    } catch (error) {
      keepUnsavedNote(key, note);
      if (error instanceof NotOwnerError) session?.post({ type: 'note', key, note });
      throw error;
    }
  });
}

export function setSettings(patch: Partial<SessionSettings>): Promise<void> {
  return enqueue(async () => {
    const settings = { ...get().settings, ...patch };
    if (get().role === 'active' || get().role === 'unsupported') {
      await saveSettingsAsOwner(requireDb(), requireSession().tabId, settings);
    }
    set({ settings });
    if (patch.labels || patch.thresholds || patch.task) refreshOrder();
  });
}

function replay(entry: UndoEntry, side: 'before' | 'after'): Promise<void> {
  return enqueue(async () => {
    const docs = get().docs;
    const changed: AnnotatedDoc[] = [];
    for (const change of entry.changes) {
      const doc = docs.get(change.key);
      if (doc) changed.push(applyDecision(doc, change[side]));
    }
    await persistDocs(changed);
    set({ currentKey: entry.focus });
    refreshOrder();
    // A document the filter now hides must still be shown to the annotator who just brought it back.
    if (!get().order.includes(entry.focus)) set({ order: [entry.focus, ...get().order] });
  });
}

export async function undo(): Promise<void> {
  const entry = undoStack.pop();
  if (!entry) return;
  try {
    await replay(entry, 'before');
    redoStack.push(entry);
  } catch (error) {
    undoStack.push(entry);
    throw error;
  } finally {
    set({ canUndo: undoStack.length > 0, canRedo: redoStack.length > 0 });
  }
}

export async function redo(): Promise<void> {
  const entry = redoStack.pop();
  if (!entry) return;
  try {
    await replay(entry, 'after');
    undoStack.push(entry);
  } catch (error) {
    redoStack.push(entry);
    throw error;
  } finally {
    set({ canUndo: undoStack.length > 0, canRedo: redoStack.length > 0 });
  }
}

/** Accept the model's prediction on every unreviewed, predicted document of the shown queue at or above a confidence. */
export function bulkAccept(minConfidence: number): Promise<number> {
  return enqueue(async () => {
    const { order, docs, settings } = get();
    const now = Date.now();
    const changes: UndoEntry['changes'] = [];
    const after: AnnotatedDoc[] = [];
    for (const key of order) {
      const doc = docs.get(key);
      if (!bulkAcceptable(doc, settings, minConfidence)) continue;
      const accepted: AnnotatedDoc = {
        ...doc,
        decision: doc.predicted ?? [],
        status: 'accepted',
        annotator: settings.annotator,
        reviewedAt: now,
        updatedAt: now,
      };
      changes.push({ key, before: decisionStateOf(doc), after: decisionStateOf(accepted) });
      after.push(accepted);
    }
    if (after.length === 0) return 0;
    await commitChanges({ focus: get().currentKey ?? after[0]?.key ?? '', changes }, after);
    refreshOrder();
    return after.length;
  });
}

function toStored(incoming: IncomingDoc, order: number, now: number): AnnotatedDoc {
  const status: DocStatus = incoming.status ?? (incoming.scores && incoming.predicted ? 'predicted' : 'new');
  // Gold labels, or a decision that differs from the prediction, are human work a prediction must not replace.
  const edited =
    incoming.labels !== undefined &&
    (incoming.status === undefined || acceptedStatus({ decision: incoming.labels, predicted: incoming.predicted }) === 'corrected');
  return {
    key: docKeyOf(incoming),
    order,
    id: incoming.id,
    pmid: incoming.pmid,
    title: incoming.title,
    text: incoming.text,
    sentences: incoming.sentences ?? null,
    status,
    scores: incoming.scores,
    predicted: incoming.predicted,
    decision: incoming.labels ?? incoming.predicted ?? [],
    edited: edited || undefined,
    model: incoming.model,
    note: incoming.note ?? '',
    annotator: incoming.annotator ?? '',
    importedAt: incoming.importedAt ?? now,
    predictedAt: incoming.predictedAt,
    reviewedAt: incoming.reviewedAt ?? (REVIEWED_STATUSES.has(status) ? now : undefined),
    ...(incoming.extra ? { extra: incoming.extra } : {}),
    ...(incoming.review ? { review: incoming.review } : {}),
    updatedAt: incoming.updatedAt ?? now,
  };
}

/**
 * Add documents to the session, skipping any whose PMID/id is already there (existing work is never
 * replaced). Written in chunks, yielding between them so the page stays responsive.
 */
export function importDocs(incoming: IncomingDoc[], onProgress?: (written: number) => void): Promise<ImportOutcome> {
  return enqueue(async () => {
    const { docs, settings } = get();
    const now = Date.now();
    let order = docs.size === 0 ? 0 : Math.max(...Array.from(docs.values(), (doc) => doc.order)) + 1;
    const seen = new Set(docs.keys());
    const fresh: AnnotatedDoc[] = [];
    let duplicates = 0;
    for (const record of incoming) {
      const key = docKeyOf(record);
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      fresh.push(toStored(record, order++, now));
    }
    for (let start = 0; start < fresh.length; start += IMPORT_CHUNK) {
      await persistDocs(fresh.slice(start, start + IMPORT_CHUNK));
      onProgress?.(Math.min(fresh.length, start + IMPORT_CHUNK));
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // Labels found in imported decisions join the session so a re-imported export keeps them.
    const known = new Set(settings.labels);
    const extra: string[] = [];
    for (const doc of fresh)
      for (const label of [...doc.decision, ...Object.keys(doc.scores ?? {}), ...(doc.review?.decisions.flatMap((d) => d.labels) ?? [])]) {
        if (!known.has(label)) {
          known.add(label);
          extra.push(label);
        }
      }
    if (extra.length > 0) {
      const next = { ...settings, labels: [...settings.labels, ...extra] };
      await saveSettingsAsOwner(requireDb(), requireSession().tabId, next);
      set({ settings: next });
    }
    refreshOrder();
    requireSession().post({ type: 'reload' });
    return { imported: fresh.length, duplicates };
  });
}

/** Use a loaded model's labels and thresholds for this session (labels already in the session stay). */
export function adoptModel(model: BatchPredictor['model']): Promise<void> {
  const { labels } = get().settings;
  const modelLabels = model.labels.map((label) => label.name);
  const merged = [...modelLabels, ...labels.filter((label) => !modelLabels.includes(label))];
  const thresholds = Object.fromEntries(model.labels.map((label) => [label.name, label.threshold]));
  return setSettings({ labels: merged, thresholds, task: model.task });
}

function applyPrediction(doc: AnnotatedDoc, scores: Record<string, number>, predictor: BatchPredictor): AnnotatedDoc {
  const { model } = predictor;
  let predicted: string[];
  if (model.task === 'single_label') {
    let best: string | null = null;
    for (const label of model.labels) if (best === null || (scores[label.name] ?? 0) > (scores[best] ?? 0)) best = label.name;
    predicted = best === null ? [] : [best];
  } else {
    predicted = model.labels.filter((label) => (scores[label.name] ?? 0) >= label.threshold).map((label) => label.name);
  }
  const untouched = doc.status === 'new' && !doc.edited;
  return {
    ...doc,
    scores,
    predicted,
    model: { id: model.id, version: model.version },
    predictedAt: Date.now(),
    // Scored is no longer new, gold labels or not; only an untouched decision takes the prediction.
    status: doc.status === 'new' ? 'predicted' : doc.status,
    decision: untouched ? predicted : doc.decision,
  };
}

/**
 * Predict every document the current model has not scored yet, in the worker, starting with the queue as
 * shown (so the annotator's next documents come first). Results are saved in small batches.
 */
export async function startPrediction(predictor: BatchPredictor): Promise<void> {
  if (activePredictor) return;
  const { order, docs, settings } = get();
  const { id, version } = predictor.model;
  // Reviewed documents keep the scores the annotator decided on (the audit trail); the rest get this model's.
  const needs = (doc: AnnotatedDoc) =>
    !REVIEWED_STATUSES.has(doc.status) && (!doc.scores || doc.model?.id !== id || doc.model.version !== version);
  const shown = new Set(order);
  const ordered = [...order, ...Array.from(docs.keys()).filter((key) => !shown.has(key))];
  const todo = ordered
    .map((key) => docs.get(key))
    .filter((doc): doc is AnnotatedDoc => doc !== undefined && needs(doc))
    .map((doc) => ({ key: doc.key, text: classifierText(doc, settings.classifierInput) }));
  if (todo.length === 0) return;
  activePredictor = predictor;
  predictionCancelled = false;
  set({ prediction: { running: true, done: 0, total: todo.length, error: null } });
  let pending = new Map<string, Record<string, number>>();
  const flush = () => {
    if (pending.size === 0) return Promise.resolve();
    const batch = pending;
    pending = new Map();
    return enqueue(async () => {
      const current = get().docs;
      const changed: AnnotatedDoc[] = [];
      for (const [key, scores] of batch) {
        const doc = current.get(key);
        if (doc) changed.push(applyPrediction(doc, scores, predictor));
      }
      await persistDocs(changed);
      refreshOrder();
    });
  };
  const timer = setInterval(() => void flush().catch(() => {}), PREDICTION_FLUSH_MS);
  try {
    await predictor.predict(
      todo,
      (key, scores) => pending.set(key, scores),
      (done, total) => set({ prediction: { ...get().prediction, done, total } }),
    );
    await flush();
    set({ prediction: { ...get().prediction, running: false } });
  } catch (error) {
    await flush().catch(() => {});
    set({ prediction: { ...get().prediction, running: false, error: error instanceof Error ? error.message : String(error) } });
  } finally {
    clearInterval(timer);
    activePredictor = null;
  }
  // Documents imported while this batch ran get their turn now (unless the annotator cancelled).
  if (!predictionCancelled && get().prediction.error === null) await startPrediction(predictor);
}

export function cancelPrediction(): void {
  if (!activePredictor) return;
  predictionCancelled = true;
  activePredictor.cancel();
}

/** Every document of the session, in import order (for export). */
export function allDocs(): AnnotatedDoc[] {
  return Array.from(get().docs.values()).sort((a, b) => a.order - b.order);
}

/** "Clear session": delete every document and the undo history (settings stay). */
export function clearSession(): Promise<void> {
  return enqueue(async () => {
    if (get().role !== 'active' && get().role !== 'unsupported') throw new NotOwnerError();
    const database = requireDb();
    await database.transaction('rw', database.docs, async () => database.docs.clear());
    undoStack.length = 0;
    redoStack.length = 0;
    set({ docs: new Map(), order: [], currentKey: null, canUndo: false, canRedo: false });
    requireSession().post({ type: 'reload' });
  });
}
