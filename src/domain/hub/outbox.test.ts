import { describe, expect, it } from 'vitest';

import { EMAILS_PER_RECIPIENT_PER_HOUR, heldUntil } from './outbox.js';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute));

describe('the per-recipient limit', () => {
  it('holds nothing under the limit', () => {
    expect(heldUntil([])).toBeNull();
    expect(heldUntil(Array.from({ length: EMAILS_PER_RECIPIENT_PER_HOUR - 1 }, (_, i) => at(i)))).toBeNull();
  });

  it('holds until an hour after the sending that must drop out of the window', () => {
    const sent = Array.from({ length: EMAILS_PER_RECIPIENT_PER_HOUR }, (_, i) => at(i));
    expect(heldUntil(sent)).toEqual(at(60));
    // Overshot by two (several processes): three must drop out, so the third's hour.
    expect(heldUntil([...sent, at(30), at(31)].sort((a, b) => a.getTime() - b.getTime()))).toEqual(at(62));
    expect(heldUntil([at(5), at(6), at(7)], 2)).toEqual(at(66));
  });
});
