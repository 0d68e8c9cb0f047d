/**
 * Course: what is taught — title, summary, description, key areas, learning
 * outcomes, audience and level, content notes, CPD hours. A course is run as
 * one or more dated Sessions.
 */

export const COURSE_LEVELS = ['foundation', 'intermediate', 'advanced'] as const;
export type CourseLevel = (typeof COURSE_LEVELS)[number];

export const COURSE_LEVEL_LABELS: Record<CourseLevel, string> = {
  foundation: 'Foundation',
  intermediate: 'Intermediate',
  advanced: 'Advanced',
};

/**
 * Session format: in person at a Venue, online (the joining link is shown to
 * confirmed delegates only), or hybrid (both).
 */
export const SESSION_FORMATS = ['in_person', 'online', 'hybrid'] as const;
export type SessionFormat = (typeof SESSION_FORMATS)[number];

export const SESSION_FORMAT_LABELS: Record<SessionFormat, string> = {
  in_person: 'In person',
  online: 'Online',
  hybrid: 'In person or online',
};

/** The catalogue's format filter: hybrid sessions match both choices. */
export const FORMAT_FILTERS = ['in_person', 'online'] as const;
export type FormatFilter = (typeof FORMAT_FILTERS)[number];

export function formatMatchesFilter(format: SessionFormat, filter: FormatFilter): boolean {
  return format === filter || format === 'hybrid';
}

/**
 * CPD hours are shown as written by hubs: "5 hours", "5.5 hours", "1 hour".
 */
export function describeCpdHours(hours: number): string {
  const rounded = Math.round(hours * 10) / 10;
  return `${rounded} ${rounded === 1 ? 'hour' : 'hours'}`;
}

/**
 * The first sentence of a course's content notes ("what to expect"), as
 * plain text: shown beside the booking button so that someone knows what the
 * course deals with before they commit. Null when there are no notes.
 */
export function contentNoteLine(markdown: string | null | undefined): string | null {
  const firstParagraph = (markdown ?? '')
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) =>
      paragraph
        .replace(/^\s*(#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s*)/gm, '')
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/(\*\*|__|\*|_|`)(.+?)\1/g, '$2')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .find(Boolean);
  if (!firstParagraph) return null;
  const sentence = /^.+?[.!?](?=\s|$)/.exec(firstParagraph);
  return sentence ? sentence[0] : firstParagraph;
}
