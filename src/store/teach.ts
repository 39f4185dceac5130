/**
 * Teach (issue 19): the annotation session's own label scheme and the model learned from its decisions. The scheme
 * and every training's changes live in the session's database (meta rows), each document's encoder features in its
 * features table; the learning worker does the computing. Decisions are watched in the annotation store: each change
 * asks for a training, and one that arrives while a training runs is trained with the others right after it (the
 * newest always included). The keyboard never waits: nothing here runs in the annotation store's write chain.
 */
import { create } from 'zustand';
import { parseScheme, type Scheme } from '../core/learner';
import type { DecisionDelta, FeatureBatch, ModelState, QualityEstimate, SavedLearner, SentenceAttention } from '../worker/learn-api';
import { learnCallback, learnWorker, stopLearnWorker } from '../worker/learn-bridge';
import { classifierText, mayWrite, sessionHandle, setSettings, setSort, useAnnotation } from './annotation';
import type { AnnotatedDoc, AnnotationDb } from './db';
import { currentDecisions, decisionsAfter, deltaOf, historyOf, slug, textHash } from './teachLog';
import { rescore, taughtPredictor } from './teachRescore';

export { parseScheme, SchemeError } from '../core/learner';

/** A scheme of the session: its labels, their descriptions, and whether a document takes one label or many. */
export interface TaughtScheme extends Scheme {
  /** The model id its scores carry (`taught-<name>`), shown beside each document and in the exported folder. */
  id: string;
  name: string;
  /** Decisions made before the scheme existed were about other labels: only later ones teach it. */
  createdAt: number;
}

export type TeachPhase = 'off' | 'loading' | 'features' | 'ready' | 'error';

export interface TeachState {
  scheme: TaughtScheme | null;
  phase: TeachPhase;
  /** Encoder passes for documents that had no stored features. */
  features: { done: number; total: number };
  model: ModelState | null;
  /** Decisions each model version was trained on (index: version; 0 for the descriptions-only model). */
  history: number[];
  training: boolean;
  quality: QualityEstimate | null;
  error: string | null;
}

export const ENCODER_URL = `${import.meta.env.BASE_URL}models/minilm-encoder/`;
/** The encoder features are for: its id and version (bump when the folder changes). */
const ENCODER_TAG = 'minilm-encoder@1.0.0';
const SCHEME_META = 'teach-scheme';
const LOG_META = 'teach-log';
const STATE_META = 'teach-state';
/** The learner's state is saved this long after a training (one save for a burst of them). */
const SAVE_AFTER_MS = 2_000;

export const useTeach = create<TeachState>(() => ({
  scheme: null,
  phase: 'off',
  features: { done: 0, total: 0 },
  model: null,
  history: [0],
  training: false,
  quality: null,
  error: null,
}));

const get = useTeach.getState;
const set = useTeach.setState;

/** Every training's changes, as stored; replayed by the worker to rebuild the same model. */
let log: DecisionDelta[] = [];
/** The decisions as last sent to the worker, by key. */
let sent = new Map<string, string[]>();
/** A training is running, and another was asked for meanwhile. */
let trainingAgain = false;
/** Documents the worker knows, so an import (or a cleared session) rebuilds it. */
let knownDocs = -1;
let syncing: Promise<void> | null = null;
let watching = false;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function canWrite(): boolean {
  return mayWrite(useAnnotation.getState().role);
}

function requireHandle(): { db: AnnotationDb; tabId: string } {
  const handle = sessionHandle();
  if (!handle) throw new Error('The annotation store is not initialised.');
  return handle;
}

/** Writes meta rows and features through the annotation store's writer: only while this tab owns the session. */
function writeAsOwner(write: (db: AnnotationDb) => Promise<unknown>): Promise<void> {
  const { writer } = useAnnotation.getState();
  if (!writer) return Promise.reject(new Error('The annotation store is not initialised.'));
  return writer.writeTeach(write);
}

/** Checks a scheme as the dialog gives it and makes it the session's (replacing any earlier one and its trainings). */
export async function createScheme(name: string, scheme: Scheme): Promise<void> {
  const checked = parseScheme(scheme, 'scheme');
  const taught: TaughtScheme = { ...checked, id: `taught-${slug(name)}`, name: name.trim() || 'scheme', createdAt: Date.now() };
  await writeAsOwner(async (db) => {
    await db.meta.put({ name: SCHEME_META, value: taught });
    await db.meta.put({ name: LOG_META, value: [] });
    await db.meta.delete(STATE_META);
  });
  const labels = taught.labels.map((label) => label.name);
  await setSettings({ labels, thresholds: Object.fromEntries(labels.map((label) => [label, 0.5])), task: taught.task });
  await start(taught, [], null);
}

/** Opens the session's stored scheme, if it has one (after the annotation store is ready). */
export async function initTeach(): Promise<void> {
  const handle = sessionHandle();
  if (!handle || get().scheme !== null) return;
  const scheme = (await handle.db.meta.get(SCHEME_META))?.value as TaughtScheme | undefined;
  if (!scheme) return;
  const stored = ((await handle.db.meta.get(LOG_META))?.value as DecisionDelta[] | undefined) ?? [];
  const saved = ((await handle.db.meta.get(STATE_META))?.value as SavedLearner | undefined) ?? null;
  await start(scheme, stored, saved);
}

async function start(scheme: TaughtScheme, stored: DecisionDelta[], saved: SavedLearner | null): Promise<void> {
  stopLearnWorker();
  // One label is screening: the most likely first. Otherwise the most uncertain first.
  const [only] = scheme.labels;
  setSort(scheme.labels.length === 1 && only ? { by: 'score', label: only.name } : { by: 'uncertainty' });
  log = stored;
  sent = decisionsAfter(stored);
  knownDocs = -1;
  trainingAgain = false;
  set({
    scheme,
    phase: 'loading',
    features: { done: 0, total: 0 },
    model: null,
    history: historyOf(stored),
    training: false,
    quality: null,
    error: null,
  });
  watch();
  try {
    await learnWorker().open(
      { baseUrl: new URL(ENCODER_URL, location.href).href },
      scheme,
      learnCallback(() => {}),
    );
    await syncDocuments(saved);
  } catch (error) {
    set({ phase: 'error', error: `Teach: ${errorText(error)}` });
  }
}

/** Hands the worker every document (with stored features), keeps the features it computes, then rescores. */
function syncDocuments(saved: SavedLearner | null = null): Promise<void> {
  syncing ??= (async () => {
    try {
      const scheme = get().scheme;
      if (!scheme) return;
      const { db } = requireHandle();
      const { docs, settings } = useAnnotation.getState();
      const ordered = Array.from(docs.values()).sort((a, b) => a.order - b.order);
      knownDocs = ordered.length;
      const texts = ordered.map((doc: AnnotatedDoc) => classifierText(doc, settings.classifierInput));
      const rows = await db.features.bulkGet(ordered.map((doc) => doc.key));
      const documents = ordered.map((doc, i) => {
        const text = texts[i] as string;
        const row = rows[i];
        const usable = row && row.encoder === ENCODER_TAG && row.textHash === textHash(text);
        return { key: doc.key, text, ...(usable ? { features: row.bytes } : {}) };
      });
      const missing = documents.filter((doc) => doc.features === undefined).length;
      set({ phase: missing > 0 ? 'features' : 'loading', features: { done: 0, total: missing } });
      const textOf = new Map(documents.map((doc) => [doc.key, doc.text]));
      const model = await learnWorker().setDocuments(
        documents,
        log,
        saved,
        learnCallback((batch: FeatureBatch) => {
          set({ features: { done: batch.done, total: batch.total } });
          if (!canWrite()) return;
          const rowsToKeep = batch.features.map(({ key, bytes }) => ({
            key,
            bytes,
            encoder: ENCODER_TAG,
            textHash: textHash(textOf.get(key) ?? ''),
          }));
          writeAsOwner((database) => database.features.bulkPut(rowsToKeep)).catch(() => {});
        }),
      );
      set({ phase: 'ready', model, history: historyOf(log) });
      // A read-only tab shows the active tab's saved scores; only the tab that writes rescores.
      if (canWrite()) await rescore(taughtPredictor(scheme, model.version));
      void estimateQuality();
      // Decisions made while the features were computed get their training now.
      requestTraining();
    } catch (error) {
      set({ phase: 'error', error: `Teach: ${errorText(error)}` });
    } finally {
      syncing = null;
    }
    // Documents imported while this ran: the learner is rebuilt with them.
    if (get().phase === 'ready' && useAnnotation.getState().docs.size !== knownDocs) void syncDocuments();
  })();
  return syncing;
}

/** Follows the annotation store: new documents rebuild the learner, changed decisions train it. */
function watch(): void {
  if (watching) return;
  watching = true;
  let scheduled = false;
  useAnnotation.subscribe((state, previous) => {
    if (state.docs === previous.docs || scheduled) return;
    scheduled = true;
    // After the keypress's own render: the comparison over every document is not on its path.
    setTimeout(() => {
      scheduled = false;
      const { scheme, phase } = get();
      if (!scheme || phase === 'off' || phase === 'error' || !canWrite()) return;
      if (phase === 'ready' && useAnnotation.getState().docs.size !== knownDocs) void syncDocuments();
      else requestTraining();
    }, 0);
  });
}

function requestTraining(): void {
  const { scheme, phase, training } = get();
  if (!scheme || phase !== 'ready' || !canWrite()) return;
  if (training) {
    trainingAgain = true;
    return;
  }
  const now = currentDecisions(useAnnotation.getState().docs.values(), scheme);
  const delta = deltaOf(sent, now);
  if (delta.length === 0) return;
  void train(scheme, now, delta);
}

async function train(scheme: TaughtScheme, decisions: Map<string, string[]>, delta: DecisionDelta): Promise<void> {
  set({ training: true });
  try {
    sent = decisions;
    const model = await learnWorker().train(delta);
    if (get().scheme !== scheme) return;
    log = [...log, delta];
    set({ model, history: [...get().history, model.decisions] });
    await writeAsOwner((db) => db.meta.put({ name: LOG_META, value: log })).catch(() => {});
    saveLearnerSoon(scheme);
    void rescore(taughtPredictor(scheme, model.version));
  } catch (error) {
    set({ error: `Teach: training failed (${errorText(error)})` });
  } finally {
    set({ training: false });
  }
  if (trainingAgain) {
    trainingAgain = false;
    requestTraining();
  } else void estimateQuality();
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;

/** Keeps the learner's state (a reload restores it and replays only the trainings after it). */
function saveLearnerSoon(scheme: TaughtScheme): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    learnWorker()
      .saveState()
      .then((saved) => (get().scheme === scheme ? writeAsOwner((db) => db.meta.put({ name: STATE_META, value: saved })) : undefined))
      .catch(() => {}); // the log still rebuilds the same model
  }, SAVE_AFTER_MS);
}

async function estimateQuality(): Promise<void> {
  if (get().phase !== 'ready') return;
  try {
    const quality = await learnWorker().quality();
    set({ quality });
  } catch (error) {
    set({ quality: null, error: `Teach: quality estimate failed (${errorText(error)})` });
  }
}

/** The taught model's heatmap of a document: each label's attention over its sentences. */
export function taughtAttention(key: string): Promise<SentenceAttention | null> {
  return learnWorker().attention(key);
}
