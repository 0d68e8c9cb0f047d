/**
 * Waiting on something that may never answer (a database that hangs) without
 * hanging with it: the health check and the metrics' database reads use these.
 */

/** What became of a piece of work given a limited time. */
export type Settled<T> =
  | { status: 'done'; value: T }
  | { status: 'failed'; error: unknown }
  /** Still not finished when the time ran out; it carries on, unwatched. */
  | { status: 'timed out' };

/** Waits for `work` at most `ms` milliseconds; never throws. */
export async function settleWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'timed out' }), ms);
    // A pending check never keeps the process from ending.
    timer.unref();
  });
  try {
    return await Promise.race([
      work.then(
        (value): Settled<T> => ({ status: 'done', value }),
        (error: unknown): Settled<T> => ({ status: 'failed', error }),
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `work` at most once at a time: a caller arriving while it runs shares
 * that run. While the database hangs, each check waiting on the same query
 * holds one pooled connection, not one more every time it is asked.
 */
export function oneAtATime<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= work().finally(() => {
      running = null;
    });
    return running;
  };
}
