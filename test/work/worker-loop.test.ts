import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/observability/logger.js';
import { startWorkerLoop, type WorkerLoop } from '../../src/work/worker-loop.js';

/** A loop whose steps are idle (it would sleep `idleMs`), recording when each step ran. */
function idleLoop(idleMs: number, onStep?: (steps: readonly number[]) => Promise<void>) {
  const steps: number[] = [];
  const loop = startWorkerLoop({
    name: 'test',
    logger: createLogger({ level: 'silent' }),
    idleMs,
    step: async () => {
      steps.push(Date.now());
      await onStep?.(steps);
      return false;
    },
  });
  return { loop, steps };
}

async function until(what: string, condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function stopped(loop: WorkerLoop): Promise<void> {
  await loop.stop();
}

describe('worker loop wake-ups', () => {
  it('wakeWithin runs the next step after the given delay, not at once and not after the idle sleep', async () => {
    const { loop, steps } = idleLoop(60_000);
    try {
      await until('the first step', () => steps.length === 1);
      const asked = Date.now();
      loop.wakeWithin(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(steps.length, 1, 'woke before the work was due');
      await until('the step wakeWithin asked for', () => steps.length === 2);
      assert.ok(steps[1]! - asked >= 190, `ran ${steps[1]! - asked} ms after the request`);
    } finally {
      await stopped(loop);
    }
  });

  it('keeps the earliest deadline: a later wakeWithin does not postpone an earlier one, wake() still wakes at once', async () => {
    const { loop, steps } = idleLoop(60_000);
    try {
      await until('the first step', () => steps.length === 1);
      const asked = Date.now();
      loop.wakeWithin(150);
      loop.wakeWithin(30_000);
      await until('the earlier deadline', () => steps.length === 2);
      assert.ok(steps[1]! - asked < 10_000, 'the later deadline replaced the earlier one');
      loop.wakeWithin(30_000);
      const woke = Date.now();
      loop.wake();
      await until('wake()', () => steps.length === 3);
      assert.ok(steps[2]! - woke < 1_000);
    } finally {
      await stopped(loop);
    }
  });

  it('a deadline requested while a step runs shortens the sleep after it', async () => {
    let release: (() => void) | undefined;
    let asked = 0;
    const { loop, steps } = idleLoop(60_000, async (taken) => {
      if (taken.length !== 1) return;
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      await until('the first step to be running', () => release !== undefined);
      asked = Date.now();
      loop.wakeWithin(100);
      release!();
      await until('the step after the requested deadline', () => steps.length === 2);
      assert.ok(steps[1]! - asked >= 90, 'ran before the deadline');
    } finally {
      await stopped(loop);
    }
  });
});
