import { describe, expect, it } from 'vitest';

import { mayPublishQuote, quoteAttribution } from './feedback.js';

describe('quote attribution', () => {
  const priya = { name: 'Priya Shah', jobRole: 'social worker' };

  it('signs a quote as the delegate chose', () => {
    expect(quoteAttribution('anonymous', priya)).toBe('Anonymous');
    expect(quoteAttribution('job_role', priya)).toBe('Social worker');
    expect(quoteAttribution('name', priya)).toBe('Priya Shah, Social worker');
  });

  it('never signs with an empty job role: anonymous instead, or the name alone', () => {
    const noRole = { name: 'Priya Shah', jobRole: '  ' };
    expect(quoteAttribution('job_role', noRole)).toBe('Anonymous');
    expect(quoteAttribution('name', noRole)).toBe('Priya Shah');
  });

  it('publishes only with consent', () => {
    expect(mayPublishQuote(null)).toBe(false);
    expect(mayPublishQuote('no')).toBe(false);
    expect(mayPublishQuote('anonymous')).toBe(true);
  });
});
