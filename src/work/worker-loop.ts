/**
 * A background loop: runs one step at a time; a step that found work runs again at once, an
 * idle one sleeps until the interval passes or someone wakes the loop (a Postgres NOTIFY from
 * another replica, or this process). Errors are logged and slowed down, never fatal.
 */
import type { Logger } from '../observability/logger.js';

export interface WorkerLoop {
  readonly name: string;
  wake(): void;
  /**
   * Work falls due in `ms` (debounced work just requested): the loop runs a step then at the
   * latest, instead of now — waking at once would only find it not yet due. An earlier wake or
   * due time still wins.
   */
  wakeWithin(ms: number): void;
  stop(): Promise<void>;
}

export interface WorkerLoopOptions {
  readonly name: string;
  readonly logger: Logger;
  /** Longest sleep when idle, in ms. */
  readonly idleMs: number;
  /**
   * One unit of work. Resolves true when it did something (the loop goes on at once), false when
   * idle (sleep up to idleMs), or a number of ms until the next known due work (sleep that long,
   * at most idleMs) — how debounced work wakes exactly when it is due.
   */
  readonly step: (signal: AbortSignal) => Promise<boolean | number>;
  /** Pause after a failed step (default 1 s, doubling up to 30 s while failures repeat). */
  readonly errorBackoffMs?: number;
}

export function startWorkerLoop(options: WorkerLoopOptions): WorkerLoop {
  const controller = new AbortController();
  let wakeUp: (() => void) | undefined;
  let woken = false;
  // The earliest wakeWithin() deadline (ms epoch) that no step has looked at yet.
  let wakeBy: number | undefined;
  let rearm: (() => void) | undefined;
  let failures = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || controller.signal.aborted) return resolve();
      const end = Date.now() + ms;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, Math.min(end, wakeBy ?? end) - Date.now()));
      };
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        rearm = undefined;
        resolve();
      }
      wakeUp = done;
      rearm = arm;
      arm();
    });

  const wake = () => {
    woken = true;
    wakeUp?.();
  };

  const running = (async () => {
    while (!controller.signal.aborted) {
      // What was requested before this step is visible to it (NOTIFY follows the commit).
      woken = false;
      wakeBy = undefined;
      let outcome: boolean | number = false;
      try {
        outcome = await options.step(controller.signal);
        failures = 0;
      } catch (error) {
        if (controller.signal.aborted) break;
        failures += 1;
        options.logger.error({ err: error, worker: options.name, failures }, `${options.name} step failed`);
        await sleep(Math.min((options.errorBackoffMs ?? 1000) * 2 ** (failures - 1), 30_000));
        continue;
      }
      if (outcome === false) await sleep(options.idleMs);
      else if (typeof outcome === 'number') await sleep(Math.max(0, Math.min(outcome, options.idleMs)));
    }
  })();

  return {
    name: options.name,
    wake,
    wakeWithin(ms) {
      if (ms <= 0) return wake();
      const at = Date.now() + ms;
      if (wakeBy !== undefined && wakeBy <= at) return;
      wakeBy = at;
      rearm?.();
    },
    async stop() {
      controller.abort();
      wakeUp?.();
      await running;
    },
  };
}
