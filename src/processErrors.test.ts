import { EventEmitter } from 'node:events';

import { describe, expect, it } from 'vitest';

import { keepServingAfterUnhandledRejections } from './processErrors.js';

describe('keepServingAfterUnhandledRejections', () => {
  it('logs a promise nobody handled, and the process carries on', () => {
    const target = new EventEmitter();
    const logged: [object, string][] = [];
    keepServingAfterUnhandledRejections(target, {
      error: (details, message) => logged.push([details, message]),
    });
    const reason = new Error('lost');
    expect(target.emit('unhandledRejection', reason, Promise.resolve())).toBe(true);
    expect(logged).toEqual([
      [{ err: reason }, 'a failed promise was not handled; Trellis carries on serving'],
    ]);
  });
});
