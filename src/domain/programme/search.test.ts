import { describe, expect, it } from 'vitest';

import { searchTerms } from './search.js';

describe('searchTerms', () => {
  it('keeps plain words, lower-cased', () => {
    expect(searchTerms(['Trauma', 'informed'])).toEqual([
      { joined: 'trauma', parts: ['trauma'] },
      { joined: 'informed', parts: ['informed'] },
    ]);
  });

  it('looks for a hyphenated word joined up or as its parts', () => {
    expect(searchTerms(['co-production'])).toEqual([{ joined: 'coproduction', parts: ['co', 'production'] }]);
    expect(searchTerms(['children’s'])).toEqual([{ joined: 'childrens', parts: ['children', 's'] }]);
  });

  it('keeps only letters and digits, so nothing typed is search syntax', () => {
    expect(searchTerms(['"trauma*', '(section', '42)', 'NEAR(', '-'])).toEqual([
      { joined: 'trauma', parts: ['trauma'] },
      { joined: 'section', parts: ['section'] },
      { joined: '42', parts: ['42'] },
      { joined: 'near', parts: ['near'] },
    ]);
    expect(searchTerms(['"', '*', '(', ')', '-', '^', ':'])).toEqual([]);
  });

  it('drops words too common to search for, and repeats', () => {
    expect(searchTerms(['AND', 'or', 'NOT', 'the', 'neglect', 'Neglect'])).toEqual([
      { joined: 'neglect', parts: ['neglect'] },
    ]);
    expect(searchTerms(['and/or'])).toEqual([{ joined: 'andor', parts: ['andor'] }]);
  });

  it('keeps letters from any language', () => {
    expect(searchTerms(['Siân', 'Łódź'])).toEqual([
      { joined: 'siân', parts: ['siân'] },
      { joined: 'łódź', parts: ['łódź'] },
    ]);
  });
});
