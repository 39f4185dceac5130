/**
 * One active tab per annotation database. The tab holding the Web Lock may write; the others are read-only
 * until they take over (which steals the lock) or the active tab closes (the queued request is granted).
 * A BroadcastChannel tells read-only tabs what changed so they show the active tab's work as it happens.
 */

export type TabRole = 'starting' | 'active' | 'read-only' | 'unsupported';

export type SessionMessage =
  | { type: 'changed'; keys: string[] }
  | { type: 'reload' }
  | { type: 'owner'; tabId: string }
  /** A note a tab could not save because another took over: the active tab saves it. */
  | { type: 'note'; key: string; note: string };

export interface TabSessionEvents {
  /** Called once this tab holds the lock (before the role turns active, so the caller can claim the data). */
  onAcquire: () => Promise<void>;
  onRole: (role: TabRole) => void;
  onMessage: (message: SessionMessage) => void;
}

/** How long a fresh tab waits for the lock (a reloading tab releases it a moment later) before saying read-only. */
const READ_ONLY_AFTER_MS = 400;

export class TabSession {
  readonly tabId = crypto.randomUUID();
  private readonly channel: BroadcastChannel | null;
  private waiting: AbortController | null = null;
  private release: (() => void) | null = null;

  constructor(
    private readonly lockName: string,
    private readonly events: TabSessionEvents,
  ) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`${lockName}:changes`) : null;
    this.channel?.addEventListener('message', (event: MessageEvent<SessionMessage>) => events.onMessage(event.data));
  }

  start(): void {
    if (!('locks' in navigator)) {
      // Without Web Locks we cannot keep two tabs apart; the data's owner check still refuses stale writers.
      this.events.onRole('unsupported');
      void this.events.onAcquire();
      return;
    }
    this.events.onRole('starting');
    const timer = setTimeout(() => this.events.onRole('read-only'), READ_ONLY_AFTER_MS);
    const waiting = new AbortController();
    this.waiting = waiting;
    this.hold({ signal: waiting.signal }, () => clearTimeout(timer));
  }

  /** Steal the lock from the active tab; its held lock is released and it turns read-only. */
  takeOver(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.abort();
    this.hold({ steal: true }, () => {});
  }

  post(message: SessionMessage): void {
    this.channel?.postMessage(message);
  }

  dispose(): void {
    this.waiting?.abort();
    this.release?.();
    this.channel?.close();
  }

  private hold(options: LockOptions, onGranted: () => void): void {
    let granted = false;
    navigator.locks
      .request(this.lockName, options, async () => {
        granted = true;
        onGranted();
        this.waiting = null;
        await this.events.onAcquire();
        this.post({ type: 'owner', tabId: this.tabId });
        this.events.onRole('active');
        // Hold the lock until this tab closes, disposes, or another tab steals it.
        await new Promise<void>((resolve) => {
          this.release = resolve;
        });
      })
      .catch((error: unknown) => {
        // AbortError: either our queued request was cancelled (we are taking over: nothing to do)
        // or the lock we held was stolen by another tab (we turn read-only).
        if ((error as { name?: string }).name !== 'AbortError') throw error;
        if (granted) {
          this.release = null;
          this.events.onRole('read-only');
          // Queue again, so this tab becomes active once the tab that took over closes.
          const waiting = new AbortController();
          this.waiting = waiting;
          this.hold({ signal: waiting.signal }, () => {});
        }
      });
  }
}
