/**
 * Turns the facts a message is given into the words its templates show:
 * London dates and times, addresses, paragraphs, checked links.
 */
import { formatDate, formatTimeRange, londonDate } from '../domain/time/time.js';

// One wording for moments and for how long an offer is held, shared with the pages.
export { formatDeadline, formatMoment } from '../domain/time/time.js';
export { offerHeldWords } from '../domain/hub/policy.js';
import type { NeedsFacts, SessionFacts } from './message.js';

/** A session as the shared `session` template blocks show it. */
export interface SessionView {
  courseTitle: string;
  /** The first day, for subjects: "Monday 25 November 2024". */
  firstDate: string;
  /** One line per part: "Monday 25 November 2024, 9:30am to 3:30pm". */
  when: string[];
  venue: { name: string; address: string[]; phone: string | null; travelNotes: string[] } | null;
  /** For online sessions, when the message may give it (confirmed delegates only). */
  joiningUrl: string | null;
  sessionUrl: string;
}

export function sessionView(session: SessionFacts): SessionView {
  const first = session.parts[0];
  if (!first) throw new Error('A session in an email needs at least one part');
  const numbered = session.parts.length > 1;
  return {
    courseTitle: session.courseTitle,
    firstDate: formatDate(first.startsAt),
    when: session.parts.map((part, index) => {
      const sameDay = londonDate(part.startsAt) === londonDate(part.endsAt);
      const text = sameDay
        ? `${formatDate(part.startsAt)}, ${formatTimeRange(part.startsAt, part.endsAt)}`
        : formatTimeRange(part.startsAt, part.endsAt);
      return numbered ? `Part ${index + 1}: ${text}` : text;
    }),
    venue: session.venue
      ? {
          name: session.venue.name,
          address: [...session.venue.addressLines, session.venue.town, session.venue.postcode ?? ''].filter(
            (line) => line.trim() !== '',
          ),
          phone: session.venue.phone ?? null,
          travelNotes: paragraphs(session.venue.travelNotes),
        }
      : null,
    joiningUrl: session.onlineJoiningUrl ? webLinkOrNull(session.onlineJoiningUrl) : null,
    sessionUrl: webLink(session.sessionUrl, 'the session link'),
  };
}

/**
 * Simple Markdown (as hub staff write venue notes) as plain paragraphs:
 * blank lines separate them, emphasis marks are dropped.
 */
export function paragraphs(text: string | null | undefined): string[] {
  if (!text) return [];
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) =>
      paragraph
        .replace(/(\*\*|__)(.+?)\1/g, '$2')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}

/**
 * A link the system made (accept, verify, reset): it must be an absolute
 * http(s) address, or the message is not written at all.
 */
export function webLink(url: string, what: string): string {
  const checked = webLinkOrNull(url);
  if (!checked) throw new Error(`${what} must be an absolute http or https address`);
  return checked;
}

/** A link someone typed (an online joining link): used only if it is http(s). */
export function webLinkOrNull(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

/** A file name safe in a MIME header and on any file system. */
export function safeFilename(name: string, fallback: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  return cleaned || fallback;
}

/** The needs as the templates show them: a line each, or none. */
export function needsView(needs: NeedsFacts) {
  return {
    access: needs.access?.trim() || null,
    dietary: needs.dietary?.trim() || null,
    any: Boolean(needs.access?.trim() || needs.dietary?.trim()),
    deleted: needs.deleted,
  };
}
