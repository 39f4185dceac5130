import Dexie, { type EntityTable, type Table } from 'dexie';
import type { Task } from '../core';
import type { ClassifierInputSetting, SentenceSpan } from '../io/document';
import type { AnnotationStatus, ReviewRecord } from '../io/export';

export const REVIEWED_STATUSES: ReadonlySet<AnnotationStatus> = new Set(['accepted', 'corrected', 'skipped']);

/** One document of the annotation session, as kept in IndexedDB (its exchange form is io's AnnotationRecord). */
export interface AnnotatedDoc {
  /** Deduplication key: `pmid:<pmid>` when the record has a PMID, else `id:<id>`. */
  key: string;
  /** Import order; the "by id" sort falls back on it. */
  order: number;
  id: string;
  pmid?: string;
  title?: string;
  text: string;
  sentences?: SentenceSpan[] | null;
  status: AnnotationStatus;
  /** The model's probability per label name (absent until predicted). */
  scores?: Record<string, number>;
  /** Labels the model predicted (threshold / argmax applied). */
  predicted?: string[];
  /** The human decision; it starts as the model's prediction. */
  decision: string[];
  /** The human changed the decision: a later prediction must not replace it. */
  edited?: boolean;
  model?: { id: string; version: string };
  note: string;
  annotator: string;
  importedAt: number;
  predictedAt?: number;
  reviewedAt?: number;
  updatedAt: number;
  /** Fields of the source record the session does not use (a RIS record, its DOI and keywords), given back on export. */
  extra?: Record<string, unknown>;
  /** A conflict being resolved: each reviewer's decision (see src/store/review.ts). */
  review?: ReviewRecord;
}

/** The part of a document that a decision changes; undo/redo swaps these snapshots. */
export type DecisionState = Pick<AnnotatedDoc, 'status' | 'decision' | 'edited' | 'note' | 'annotator' | 'reviewedAt' | 'updatedAt'>;

export interface SessionSettings {
  annotator: string;
  classifierInput: ClassifierInputSetting;
  /** Labels of the session, in display order (model labels first, then any found in imported decisions). */
  labels: string[];
  thresholds: Record<string, number>;
  task: Task;
}

export const DEFAULT_SETTINGS: SessionSettings = {
  annotator: '',
  classifierInput: 'title+abstract',
  labels: [],
  thresholds: {},
  task: 'multi_label',
};

/** Teach (issue 19): one document's encoder features (serializeFeatures), so training never runs the encoder again. */
export interface FeatureRow {
  key: string;
  /** The encoder folder's id@version and a hash of the text it saw: features of another text or encoder are not used. */
  encoder: string;
  textHash: number;
  bytes: Uint8Array;
}

interface MetaRow {
  name: string;
  value: unknown;
}

export class AnnotationDb extends Dexie {
  docs!: EntityTable<AnnotatedDoc, 'key'>;
  meta!: EntityTable<MetaRow, 'name'>;
  features!: EntityTable<FeatureRow, 'key'>;

  constructor(name = 'labelwise-annotate') {
    super(name);
    this.version(1).stores({
      docs: 'key, order, status',
      meta: 'name',
    });
    // Version 2 adds Teach's features table; documents and settings of version 1 stay as they are.
    this.version(2).stores({ features: 'key' });
  }
}

export const OWNER_META = 'owner';
export const SETTINGS_META = 'settings';

/** Raised when a write is attempted by a tab that no longer owns the session. */
export class NotOwnerError extends Error {
  constructor() {
    super('Another tab has taken over this annotation session; this tab is read-only.');
    this.name = 'NotOwnerError';
  }
}

/** Raised when the browser refused a write for lack of room (disk full, storage quota used up). */
export class StorageFullError extends Error {
  constructor(cause: unknown) {
    super('The browser has no room left to save your work (disk full or storage quota used up).', { cause });
    this.name = 'StorageFullError';
  }
}

/** True for the browser's "disk full / quota exhausted" failure, however Dexie wraps it. */
export function isQuotaError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const name = (current as { name?: string }).name;
    if (name === 'QuotaExceededError' || name === 'QuotaExceeded') return true;
    current = (current as { inner?: unknown }).inner;
  }
  return false;
}

/**
 * Runs a write only while this tab still owns the session: the owner check and the write run in one IndexedDB
 * transaction (over the meta table and `tables`), so a tab that lost the lock can never overwrite the new owner's work.
 */
export async function writeAsOwner(db: AnnotationDb, tabId: string, tables: Table[], write: () => Promise<unknown>): Promise<void> {
  await db.transaction('rw', [db.meta, ...tables], async () => {
    const owner = await db.meta.get(OWNER_META);
    if (owner?.value !== tabId) throw new NotOwnerError();
    await write();
  });
}

export function putDocsAsOwner(db: AnnotationDb, tabId: string, docs: AnnotatedDoc[]): Promise<void> {
  return writeAsOwner(db, tabId, [db.docs], () => db.docs.bulkPut(docs));
}

export async function claimOwnership(db: AnnotationDb, tabId: string): Promise<void> {
  await db.meta.put({ name: OWNER_META, value: tabId });
}

export async function loadSettings(db: AnnotationDb): Promise<SessionSettings> {
  const row = await db.meta.get(SETTINGS_META);
  return { ...DEFAULT_SETTINGS, ...(row?.value as Partial<SessionSettings> | undefined) };
}

export function saveSettingsAsOwner(db: AnnotationDb, tabId: string, settings: SessionSettings): Promise<void> {
  return writeAsOwner(db, tabId, [], () => db.meta.put({ name: SETTINGS_META, value: settings }));
}
