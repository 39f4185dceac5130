import { describe, expect, it } from 'vitest';
import { RunQueue } from './run-queue';

describe('RunQueue', () => {
  it('runs one task at a time, interactive tasks before waiting background ones', async () => {
    const queue = new RunQueue();
    const order: string[] = [];
    let running = 0;
    const task = (name: string) => async () => {
      running += 1;
      expect(running).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(name);
      running -= 1;
      return name;
    };
    const signal = new AbortController().signal;
    const results = await Promise.all([
      queue.run('background', signal, task('batch-1')),
      queue.run('background', signal, task('batch-2')),
      queue.run('interactive', signal, task('user')),
    ]);
    expect(order).toEqual(['batch-1', 'user', 'batch-2']);
    expect(results).toEqual(['batch-1', 'batch-2', 'user']);
  });

  it('skips a task cancelled while it waited, and keeps going after a failure', async () => {
    const queue = new RunQueue();
    const controller = new AbortController();
    const first = queue.run('background', new AbortController().signal, async () => {
      controller.abort();
      throw new Error('boom');
    });
    let ran = false;
    const cancelled = queue.run('background', controller.signal, async () => {
      ran = true;
    });
    await expect(first).rejects.toThrow('boom');
    await expect(cancelled).rejects.toThrow();
    expect(ran).toBe(false);
    await expect(queue.run('interactive', new AbortController().signal, async () => 'next')).resolves.toBe('next');
  });
});
