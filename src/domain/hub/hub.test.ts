import { describe, expect, it } from 'vitest';

import { contrastRatio, hubSettingsSchema, DEFAULT_HUB_SETTINGS, textColourOn } from './hub.js';

describe('hub branding', () => {
  it('picks the text colour that meets contrast on any brand colour', () => {
    for (const colour of ['#1d4f4a', '#ffdd00', '#005ea5', '#d4351c', '#ffffff', '#000000', '#7f7f7f']) {
      expect(contrastRatio(colour, textColourOn(colour))).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('accepts only a plain hex colour, so settings cannot inject CSS', () => {
    expect(
      hubSettingsSchema.safeParse({ ...DEFAULT_HUB_SETTINGS, brandColour: 'red;}body{x:y' }).success,
    ).toBe(false);
    expect(
      hubSettingsSchema.safeParse({ ...DEFAULT_HUB_SETTINGS, logoPath: 'https://evil.example/x.svg' })
        .success,
    ).toBe(false);
    expect(hubSettingsSchema.parse({ ...DEFAULT_HUB_SETTINGS, brandColour: '#ABCDEF' }).brandColour).toBe(
      '#abcdef',
    );
  });
});
