/**
 * Runs model work one task at a time (a session must not run twice at once), interactive tasks first:
 * a text the user is waiting for goes ahead of background batch documents.
 */

export type Priority = 'interactive' | 'background';

interface Waiting {
  start: () => void;
}

export class RunQueue {
  private busy = false;
  private readonly interactive: Waiting[] = [];
  private readonly background: Waiting[] = [];

  async run<T>(priority: Priority, signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    if (this.busy) {
      await new Promise<void>((resolve) => {
        (priority === 'interactive' ? this.interactive : this.background).push({ start: resolve });
      });
    } else {
      this.busy = true;
    }
    try {
      signal.throwIfAborted();
      return await task();
    } finally {
      this.next();
    }
  }

  private next(): void {
    const waiting = this.interactive.shift() ?? this.background.shift();
    if (waiting) waiting.start();
    else this.busy = false;
  }
}
