/**
 * What a serving process does with an error nobody caught.
 *
 * A promise that failed with nobody waiting for it leaves nothing half-done
 * in memory: it is logged loudly and Trellis keeps serving, rather than
 * every request in flight being dropped because of one. An exception thrown
 * with nobody to catch it may have left anything half-done, so the process
 * says so in its log and stops (see server.ts), for its supervisor to start
 * it again: it never ends without a word.
 */
import type { EventEmitter } from 'node:events';

export interface ErrorLog {
  error(details: object, message: string): void;
}

export function keepServingAfterUnhandledRejections(target: EventEmitter, log: ErrorLog): void {
  target.on('unhandledRejection', (reason: unknown) => {
    log.error({ err: reason }, 'a failed promise was not handled; Trellis carries on serving');
  });
}
