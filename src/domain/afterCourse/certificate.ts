/**
 * Certificates of attendance: when a delegate's marks earn one, and what it
 * may claim. A certificate says only what the register says: the parts
 * attended in full, their hours, and the CPD hours those parts are worth.
 */
import type { AttendanceStatus } from './attendance.js';
import { INVITE_WITHIN_DAYS } from './feedback.js';

/** What a certificate number looks like: anything else is not one of ours. */
export const CERTIFICATE_NUMBER = /^TRC-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;

export interface CertificatePart {
  id: number;
  startsAt: Date;
  endsAt: Date;
}

export interface CertificateDue {
  /** The parts attended in full, in order. */
  parts: CertificatePart[];
  /** Every part of the session was attended. */
  whole: boolean;
  /** Minutes in the parts attended. */
  minutes: number;
  cpdHours: number;
}

const minutesOf = (part: CertificatePart) =>
  Math.round((part.endsAt.getTime() - part.startsAt.getTime()) / 60_000);

/**
 * Whether a booking's marks earn a certificate, and for what. None until
 * every part is marked (a certificate is never issued for half a register).
 * Every part attended: the whole session and the course's CPD hours. Some
 * parts attended, when the hub's policy gives certificates for part
 * attendance: those parts only, and the CPD hours in proportion to their
 * time, rounded down to the half hour so it never claims more than was
 * attended. A part only partly attended counts for nothing: the register
 * does not say how much of it.
 */
export function certificateDue(
  parts: readonly CertificatePart[],
  marks: ReadonlyMap<number, AttendanceStatus>,
  courseCpdHours: number,
  policy: { certificatesForPartAttendance: boolean },
): CertificateDue | null {
  if (!parts.length || parts.some((part) => !marks.has(part.id))) return null;
  const attended = parts.filter((part) => marks.get(part.id) === 'attended');
  const total = parts.reduce((sum, part) => sum + minutesOf(part), 0);
  const minutes = attended.reduce((sum, part) => sum + minutesOf(part), 0);
  if (attended.length === parts.length) {
    return { parts: [...attended], whole: true, minutes, cpdHours: courseCpdHours };
  }
  if (!policy.certificatesForPartAttendance || !attended.length || total <= 0) return null;
  const cpdHours = Math.floor(((courseCpdHours * minutes) / total) * 2) / 2;
  return { parts: attended, whole: false, minutes, cpdHours };
}

/** "6 hours", "2 hours 30 minutes", "45 minutes": time attended, as the certificate says it. */
export function describeMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const words = [
    hours ? `${hours} ${hours === 1 ? 'hour' : 'hours'}` : '',
    rest ? `${rest} ${rest === 1 ? 'minute' : 'minutes'}` : '',
  ].filter(Boolean);
  return words.join(' ') || '0 minutes';
}

/**
 * Whether a newly issued certificate waits for the delegate's feedback
 * before it can be downloaded (and before the "certificate ready" email
 * goes). Only while the hub's policy asks for feedback first, the delegate
 * has not given it, and they have been, or can still be, invited to give it:
 * a session that ended longer ago than invitations are sent never gets a
 * form, and its certificate is never held.
 */
export function certificateWaitsForFeedback(
  facts: {
    feedbackGiven: boolean;
    invited: boolean;
    sessionEndsAt: Date;
  },
  policy: { feedbackBeforeCertificate: boolean },
  now: Date,
): boolean {
  if (!policy.feedbackBeforeCertificate || facts.feedbackGiven) return false;
  return facts.invited || facts.sessionEndsAt.getTime() > now.getTime() - INVITE_WITHIN_DAYS * 86_400_000;
}
