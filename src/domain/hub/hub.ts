/**
 * The hub: the organisation running a training programme on Trellis. Its
 * name, branding and contact details come from settings, never from code, so
 * each hub's pages look like its own.
 */
import { z } from 'zod';

const hexColour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1d4f4a')
  .transform((value) => value.toLowerCase());

export const hubSettingsSchema = z.object({
  name: z.string().trim().min(1).max(120),
  /** Shown under the name in the header, e.g. "Multi-agency safeguarding training". */
  strapline: z.string().trim().max(200),
  /** Path of the logo under /assets, or null to show the name alone. */
  logoPath: z
    .string()
    .regex(/^\/assets\/[\w./-]+\.(svg|png)$/, 'must be an image under /assets')
    .nullable(),
  brandColour: hexColour,
  contactEmail: z.email(),
  contactPhone: z.string().trim().max(40),
  /** Markdown. */
  termsText: z.string(),
  /** Markdown. */
  privacyText: z.string(),
});

export type HubSettings = z.infer<typeof hubSettingsSchema>;

export const DEFAULT_HUB_SETTINGS: HubSettings = {
  name: 'Safeguarding Training Hub',
  strapline: 'Multi-agency safeguarding training',
  logoPath: '/assets/logo.svg',
  brandColour: '#1d4f4a',
  contactEmail: 'training@example.org.uk',
  contactPhone: '01632 960000',
  termsText: [
    'If you cannot attend, please cancel your place as early as you can so that someone on the waiting list can have it.',
    '',
    'Please arrive ten minutes before the start time. If you arrive more than 15 minutes late we may not be able to admit you, so that the session is not disrupted for others.',
  ].join('\n'),
  privacyText: [
    'We use the details you give us to manage your booking, to tell you about changes to your session, and to report to the partnership on who has been trained.',
    '',
    'To ask what we hold about you, or to have it corrected or deleted, contact us using the details at the foot of every page.',
  ].join('\n'),
};

/**
 * The text colour (white or near-black) that contrasts best with a brand
 * colour, so a hub cannot pick a header colour that fails WCAG contrast for
 * its own name.
 */
export function textColourOn(background: string): '#ffffff' | '#0b0c0c' {
  const white = contrastRatio(background, '#ffffff');
  const black = contrastRatio(background, '#0b0c0c');
  return white >= black ? '#ffffff' : '#0b0c0c';
}

export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (lighter + 0.05) / (darker + 0.05);
}

function relativeLuminance(hex: string): number {
  const channel = (offset: number) => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}
