/**
 * Feedback on a course's learning outcomes: the questions' scales and words,
 * the limits on what can be typed, and how long an answer can be changed.
 */

/** The same five-point scale before and after, in words as well as numbers. */
export const CONFIDENCE_WORDS = [
  'Not at all confident',
  'Slightly confident',
  'Somewhat confident',
  'Fairly confident',
  'Very confident',
] as const;

export const USEFULNESS_WORDS = [
  'Not at all useful',
  'Slightly useful',
  'Somewhat useful',
  'Fairly useful',
  'Very useful',
] as const;

/** Answers on both scales are 1 to 5. */
export const SCALE_MAX = 5;

export const FEEDBACK_TEXT_MAX = 2_000;

/** Whether a quote may be published, and how it would be attributed. */
export const QUOTE_CONSENTS = ['no', 'anonymous', 'job_role', 'name'] as const;
export type QuoteConsent = (typeof QUOTE_CONSENTS)[number];

export const QUOTE_CONSENT_WORDS: Record<QuoteConsent, string> = {
  no: 'No, do not publish anything I have written',
  anonymous: 'Yes, without my name or job role',
  job_role: 'Yes, with my job role',
  name: 'Yes, with my name and job role',
};

/** Answers can be changed for this long after they were first given. */
export const FEEDBACK_CHANGE_DAYS = 30;

export function canChangeFeedback(submittedAt: Date, now: Date): boolean {
  return now.getTime() < submittedAt.getTime() + FEEDBACK_CHANGE_DAYS * 86_400_000;
}

export function changeDeadline(submittedAt: Date): Date {
  return new Date(submittedAt.getTime() + FEEDBACK_CHANGE_DAYS * 86_400_000);
}

export interface FeedbackInput {
  outcomes: { learningOutcomeId: number; confidenceBefore: number | null; confidenceAfter: number | null }[];
  usefulness: number | null;
  doDifferently: string;
  hubShouldChange: string;
  quote: string;
  quoteConsent: QuoteConsent | null;
}

export type FeedbackReading =
  { ok: true; input: FeedbackInput } | { ok: false; fields: Record<string, string> };

/** The form's field names, in the order the page shows them. */
export function feedbackFieldOrder(outcomeIds: readonly number[]): string[] {
  return [
    ...outcomeIds.flatMap((id) => [`before-${id}`, `after-${id}`]),
    'usefulness',
    'doDifferently',
    'hubShouldChange',
    'quote',
    'quoteConsent',
  ];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\r\n/g, '\n').trim() : '';
}

/**
 * Reads the posted form. Every question may be left out; what is given must
 * be one of the choices offered, and free text no longer than the limit.
 */
export function readFeedbackForm(
  body: Record<string, unknown>,
  outcomeIds: readonly number[],
): FeedbackReading {
  const fields: Record<string, string> = {};

  function scale(name: string, message: string): number | null {
    const raw = body[name];
    if (raw === undefined || raw === '') return null;
    const value = typeof raw === 'string' && /^[1-5]$/.test(raw) ? Number(raw) : NaN;
    if (Number.isNaN(value)) {
      fields[name] = message;
      return null;
    }
    return value;
  }

  function freeText(name: string, what: string): string {
    const raw = body[name];
    if (raw !== undefined && typeof raw !== 'string') {
      fields[name] = `Enter ${what} as text`;
      return '';
    }
    const value = text(raw);
    if (value.length > FEEDBACK_TEXT_MAX) {
      fields[name] =
        `${what[0]!.toUpperCase()}${what.slice(1)} must be ${FEEDBACK_TEXT_MAX.toLocaleString('en-GB')} characters or fewer`;
    }
    return value;
  }

  const outcomes = outcomeIds.map((id) => ({
    learningOutcomeId: id,
    confidenceBefore: scale(
      `before-${id}`,
      'Choose how confident you felt before the course, or leave it empty',
    ),
    confidenceAfter: scale(`after-${id}`, 'Choose how confident you feel now, or leave it empty'),
  }));
  const usefulness = scale('usefulness', 'Choose how useful the course was, or leave it empty');
  const doDifferently = freeText('doDifferently', 'what you will do differently');
  const hubShouldChange = freeText('hubShouldChange', 'what we should change');
  const quote = freeText('quote', 'your quote');

  let quoteConsent: QuoteConsent | null = null;
  const consent = body.quoteConsent;
  if (consent !== undefined && consent !== '') {
    if (typeof consent === 'string' && (QUOTE_CONSENTS as readonly string[]).includes(consent)) {
      quoteConsent = consent as QuoteConsent;
    } else {
      fields.quoteConsent = 'Choose whether we may publish your quote, or leave it empty';
    }
  }
  if (quoteConsent && quoteConsent !== 'no' && !quote) {
    fields.quote = 'Write the quote we may publish, or choose that we may not publish one';
  }

  if (Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, input: { outcomes, usefulness, doDifferently, hubShouldChange, quote, quoteConsent } };
}

/** Consents that let a quote be published. */
export const PUBLISHABLE_CONSENTS = [
  'anonymous',
  'job_role',
  'name',
] as const satisfies readonly QuoteConsent[];

export function mayPublishQuote(consent: QuoteConsent | null): boolean {
  return consent !== null && (PUBLISHABLE_CONSENTS as readonly string[]).includes(consent);
}

/**
 * How a published quote is signed, as the form promised: "Anonymous"; the
 * job role ("Social worker"); or the name and job role ("Priya Shah, Social
 * worker"). The name and job role are the delegate's as they are now, so a
 * delegate who changes their name (after marriage, transition, or to leave
 * someone behind) is never shown under the old one. A job role left blank
 * signs the quote as anonymous rather than with an empty line.
 */
export function quoteAttribution(consent: QuoteConsent, delegate: { name: string; jobRole: string }): string {
  const jobRole = delegate.jobRole.trim();
  const role = jobRole ? jobRole.charAt(0).toUpperCase() + jobRole.slice(1) : '';
  if (consent === 'name') return role ? `${delegate.name.trim()}, ${role}` : delegate.name.trim();
  if (consent === 'job_role' && role) return role;
  return 'Anonymous';
}

/**
 * Invitations go only to sessions that ended within this many days: a late
 * request helps nobody. (A certificate is held for feedback only while an
 * invitation can still come.)
 */
export const INVITE_WITHIN_DAYS = 14;
