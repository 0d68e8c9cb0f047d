import { describe, expect, it } from 'vitest';

import { normalisePostcode } from './postcode.js';

describe('normalisePostcode', () => {
  it('accepts every shape of UK postcode and writes it the usual way', () => {
    expect(normalisePostcode('OX1 1TR')).toBe('OX1 1TR');
    expect(normalisePostcode('ox11tr')).toBe('OX1 1TR');
    expect(normalisePostcode(' sw1a  2aa ')).toBe('SW1A 2AA');
    expect(normalisePostcode('M1 1AE')).toBe('M1 1AE');
    expect(normalisePostcode('B33 8TH')).toBe('B33 8TH');
    expect(normalisePostcode('CR2 6XH')).toBe('CR2 6XH');
    expect(normalisePostcode('DN55 1PT')).toBe('DN55 1PT');
    expect(normalisePostcode('W1A 0AX')).toBe('W1A 0AX');
    expect(normalisePostcode('EC1A 1BB')).toBe('EC1A 1BB');
  });

  it('refuses what is not a postcode', () => {
    for (const text of ['', 'Oxford', 'OX1', '1TR', 'OX1 1T', '12345', 'OX1 1TRR', 'QQ1 1AA!']) {
      expect(normalisePostcode(text), text).toBeNull();
    }
  });
});
