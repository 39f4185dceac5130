/**
 * Where the annotation session is saved: IndexedDB, written only by the tab that holds the session (src/store/
 * annotationSession.ts). Every write goes through `SessionWriter`, which asks the one question "may this tab write?"
 * and turns the two refusals (another tab took over; the disk is full) into typed errors and events.
 */
import type { TabRole, TabSession } from './annotationSession';
import {
  type AnnotatedDoc,
  type AnnotationDb,
  isQuotaError,
  NotOwnerError,
  putDocsAsOwner,
  type SessionSettings,
  StorageFullError,
  saveSettingsAsOwner,
  writeAsOwner,
} from './db';

/** The one check: the tab holding the lock writes; without Web Locks every tab does (the owner row still guards the data). */
export function mayWrite(role: TabRole): boolean {
  return role === 'active' || role === 'unsupported';
}

export interface WriterEvents {
  /** The data's owner row names another tab: this one is read-only from now on. */
  onLostOwnership(): void;
  /** The browser refused a write for lack of room. */
  onStorageFull(): void;
}

export class SessionWriter {
  constructor(
    readonly db: AnnotationDb,
    readonly session: TabSession,
    private readonly role: () => TabRole,
    private readonly events: WriterEvents,
  ) {}

  get mayWrite(): boolean {
    return mayWrite(this.role());
  }

  putDocs(docs: AnnotatedDoc[]): Promise<void> {
    return this.write(() => putDocsAsOwner(this.db, this.session.tabId, docs));
  }

  saveSettings(settings: SessionSettings): Promise<void> {
    return this.write(() => saveSettingsAsOwner(this.db, this.session.tabId, settings));
  }

  /** Teach (issue 19): the scheme's meta rows and the documents' features, under the same check. */
  writeTeach(write: (db: AnnotationDb) => Promise<unknown>): Promise<void> {
    return this.write(() => writeAsOwner(this.db, this.session.tabId, [this.db.features], () => write(this.db)));
  }

  clearDocs(): Promise<void> {
    return this.write(() => this.db.transaction('rw', this.db.docs, () => this.db.docs.clear()));
  }

  /** Runs a write if this tab may; a refusal leaves memory to the caller and throws NotOwnerError or StorageFullError. */
  private async write(action: () => Promise<void>): Promise<void> {
    if (!this.mayWrite) throw new NotOwnerError();
    try {
      await action();
    } catch (error) {
      if (error instanceof NotOwnerError || (error as { inner?: unknown }).inner instanceof NotOwnerError) {
        this.events.onLostOwnership();
        throw new NotOwnerError();
      }
      if (isQuotaError(error)) {
        this.events.onStorageFull();
        throw new StorageFullError(error);
      }
      throw error;
    }
  }
}

/**
 * Runs actions one after another, so a fast key sequence applies in order; counts those queued or running
 * (the page shows "saving…" and warns before unload while there are any).
 */
export function writeQueue(onPending: (delta: 1 | -1) => void): <T>(action: () => Promise<T>) => Promise<T> {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(action: () => Promise<T>): Promise<T> => {
    onPending(1);
    const next = chain.then(action).finally(() => onPending(-1));
    chain = next.catch(() => {});
    return next;
  };
}
