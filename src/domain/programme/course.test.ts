import { describe, expect, it } from 'vitest';

import { contentNoteLine } from './course.js';

describe('contentNoteLine', () => {
  it('is the first sentence of the notes, as plain text', () => {
    expect(
      contentNoteLine(
        'This course talks about **trauma** and [harm](https://example.org). It may bring up memories.\n\nThere is a break.',
      ),
    ).toBe('This course talks about trauma and harm.');
  });

  it('takes the whole first paragraph when it has no full stop, and skips blank ones', () => {
    expect(contentNoteLine('\n\n## Discussion of abuse\n\nMore.')).toBe('Discussion of abuse');
  });

  it('is null without notes', () => {
    expect(contentNoteLine('')).toBeNull();
    expect(contentNoteLine(null)).toBeNull();
    expect(contentNoteLine('  \n\n ')).toBeNull();
  });
});
