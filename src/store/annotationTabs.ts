/**
 * This tab's hold on the session: opening it, the tab lock and its hand-over (src/store/annotationSession.ts),
 * following the active tab's changes, and notes that survive a take-over or a failed save (kept, retried, handed
 * to the tab that took over).
 */
import { mayWrite, SessionWriter } from './annotationPersistence';
import { type SessionMessage, TabSession } from './annotationSession';
import type { AnnotationActions, StoreKit } from './annotationState';
import { AnnotationDb, claimOwnership, NotOwnerError } from './db';
import { EMPTY_HISTORY } from './undoHistory';

const LOCK_NAME = 'labelwise-annotate';
/** How often notes whose save failed are tried again. */
const NOTE_RETRY_MS = 2_000;
const STORAGE_FULL =
  'The browser has no room left to save your work (disk full or storage quota used up). The last change was NOT saved. Export your work now, then free some space.';

export function tabActions(kit: StoreKit): Pick<AnnotationActions, 'initAnnotation' | 'takeOver' | 'setNote'> {
  const { set, get, enqueue, writer, refreshOrder, persistDocs, setHistory, reloadAll } = kit;
  /** Messages from other tabs, handled in the order they came. */
  let messages: Promise<void> = Promise.resolve();

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

  return {
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
  };
}
