/**
 * Issuing certificates of attendance, inside the transaction that changes
 * what they rest on: the attendance marks (attendance service) or the
 * delegate's name (account service). Each booking's certificate is brought
 * into line with the register: issued when its marks earn one, withdrawn and
 * issued afresh (with a new number) when what it states has changed, and
 * withdrawn alone when the marks no longer earn one. The "certificate ready"
 * email goes to the outbox in the same transaction.
 */
import { randomInt } from 'node:crypto';

import {
  CertificateRecords,
  type CertificateRow,
} from '../../data/repositories/afterCourse/certificateRecords.js';
import { recordAudit } from '../../data/repositories/auditRecords.js';
import type { AuditActorType, Executor } from '../../data/schema.js';
import { ON_REGISTER, type AttendanceStatus } from '../../domain/afterCourse/attendance.js';
import {
  certificateDue,
  certificateWaitsForFeedback,
  type CertificatePart,
} from '../../domain/afterCourse/certificate.js';
import type { MailContext, Notifications } from '../email/notifications.js';

/** What a certificate states beyond the name, course and first date (stored as JSON). */
export interface CertificateFacts {
  /** The parts attended, as ISO instants. */
  parts: { startsAt: string; endsAt: string }[];
  /** Every part of the session was attended. */
  whole: boolean;
  /** How many parts the session had. */
  sessionParts: number;
  minutes: number;
  cpdHours: number;
  trainers: string[];
  learningOutcomes: string[];
}

// No 0/O, 1/I/L or U, as booking references: numbers are read out and typed in.
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

/**
 * A certificate number such as "TRC-7K4P-QX9M-2HRT-W8CD": random (about 78
 * bits), so nobody can find others' certificates by counting or guessing.
 */
export function newCertificateNumber(): string {
  const group = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `TRC-${group()}-${group()}-${group()}-${group()}`;
}

export interface CertificateActor {
  type: AuditActorType;
  id: number | null;
}

/** What a certificate states: the columns beside its number, and the facts as JSON text. */
export interface CertificateStatement {
  delegateName: string;
  courseTitle: string;
  /** The start of the first part attended, as an ISO instant. */
  attendedFrom: string;
  facts: string;
}

/**
 * What a booking's certificate states, from its session's parts and its
 * marks; null when the marks earn none. Issuing here and the large-hub
 * generator's bulk certificates both state it this way.
 */
export function certificateStatement(
  booking: { delegateName: string; courseTitle: string; cpdHours: number },
  sessionParts: readonly CertificatePart[],
  marks: ReadonlyMap<number, AttendanceStatus>,
  trainers: readonly string[],
  learningOutcomes: readonly string[],
  policy: { certificatesForPartAttendance: boolean },
): CertificateStatement | null {
  const due = certificateDue(sessionParts, marks, booking.cpdHours, policy);
  if (!due) return null;
  return {
    delegateName: booking.delegateName,
    courseTitle: booking.courseTitle,
    attendedFrom: due.parts[0]!.startsAt.toISOString(),
    facts: JSON.stringify({
      parts: due.parts.map((p) => ({ startsAt: p.startsAt.toISOString(), endsAt: p.endsAt.toISOString() })),
      whole: due.whole,
      sessionParts: sessionParts.length,
      minutes: due.minutes,
      cpdHours: due.cpdHours,
      trainers: [...trainers],
      learningOutcomes: [...learningOutcomes],
    } satisfies CertificateFacts),
  };
}

export class CertificateIssuing {
  /** Only the "certificate ready" email is needed of the notifications. */
  constructor(private readonly mail: Pick<Notifications, 'certificateReady'>) {}

  /**
   * Brings the certificates of `bookingIds` into line with their marks and
   * their delegates' names, in the caller's transaction.
   */
  async review(
    trx: Executor,
    ctx: MailContext,
    bookingIds: readonly number[],
    actor: CertificateActor,
    now: Date,
  ): Promise<void> {
    if (!bookingIds.length) return;
    const records = new CertificateRecords(trx);
    const bookings = await records.bookingFacts(bookingIds);
    const sessionIds = [...new Set(bookings.map((b) => b.session_id))];
    const courseIds = [...new Set(bookings.map((b) => b.course_id))];
    const [parts, trainers, outcomes, marks, valid] = await Promise.all([
      records.sessionParts(sessionIds),
      records.sessionTrainers(sessionIds),
      records.learningOutcomes(courseIds),
      records.marks(bookingIds),
      records.validFor(bookingIds),
    ]);
    const group = <T, K>(rows: readonly T[], key: (row: T) => K) => {
      const map = new Map<K, T[]>();
      for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
      return map;
    };
    const partsBySession = group(parts, (p) => p.session_id);
    const trainersBySession = group(trainers, (t) => t.session_id);
    const outcomesByCourse = group(outcomes, (o) => o.course_id);
    const marksByBooking = group(marks, (m) => m.booking_id);
    const validByBooking = new Map(valid.map((c) => [c.booking_id, c]));

    for (const booking of bookings) {
      const sessionParts = (partsBySession.get(booking.session_id) ?? []).map((p) => ({
        id: p.id,
        startsAt: new Date(p.starts_at),
        endsAt: new Date(p.ends_at),
      }));
      const statuses = new Map<number, AttendanceStatus>(
        (marksByBooking.get(booking.id) ?? []).map((m) => [m.session_part_id, m.status]),
      );
      const onRegister = ON_REGISTER.includes(booking.state) && booking.session_cancelled_at === null;
      const current = validByBooking.get(booking.id);
      const wanted = onRegister
        ? certificateStatement(
            {
              delegateName: booking.delegate_name,
              courseTitle: booking.course_title,
              cpdHours: Number(booking.cpd_hours),
            },
            sessionParts,
            statuses,
            (trainersBySession.get(booking.session_id) ?? []).map((t) => t.name),
            (outcomesByCourse.get(booking.course_id) ?? []).map((o) => o.text),
            ctx.policy,
          )
        : null;
      if (current && wanted && states(current, wanted)) continue;
      if (!current && !wanted) continue;

      const audit = { actorType: actor.type, actorId: actor.id, entityType: 'booking', entityId: booking.id };
      if (current) {
        await records.withdraw(current.id, now.toISOString());
        await recordAudit(
          trx,
          { ...audit, action: 'certificate_withdrawn', details: { number: current.number } },
          now,
        );
      }
      if (wanted) {
        const number = newCertificateNumber();
        // A certificate already released stays downloadable when re-issued:
        // the delegate was told it was ready.
        const waits =
          (!current || current.released_at === null) &&
          certificateWaitsForFeedback(
            {
              feedbackGiven: Boolean(Number(booking.feedback_given)),
              invited: booking.feedback_invited_at !== null,
              sessionEndsAt: new Date(booking.session_ends_at),
            },
            ctx.policy,
            now,
          );
        await records.insert(
          { number, bookingId: booking.id, ...wanted, releasedAt: waits ? null : now.toISOString() },
          now.toISOString(),
        );
        await recordAudit(
          trx,
          {
            ...audit,
            action: 'certificate_issued',
            details: { number, ...(current ? { replaces: current.number } : {}) },
          },
          now,
        );
        // The email says it is ready, so it goes when it can be downloaded (see `release`).
        if (!waits) {
          await this.mail.certificateReady(trx, ctx, booking.id, {
            number,
            courseTitle: wanted.courseTitle,
            attendedFrom: new Date(wanted.attendedFrom),
            replaces: current !== undefined,
          });
        }
      }
    }
  }

  /**
   * Makes certificates that waited for feedback downloadable, and sends each
   * one's "certificate ready" email, in the caller's transaction: a
   * delegate's (`bookingIds`) when they give their feedback, or every one
   * when the hub stops asking for feedback first.
   */
  async release(trx: Executor, ctx: MailContext, now: Date, bookingIds?: readonly number[]): Promise<number> {
    const released = await new CertificateRecords(trx).release(now.toISOString(), bookingIds);
    for (const certificate of released) {
      await this.mail.certificateReady(trx, ctx, certificate.booking_id, {
        number: certificate.number,
        courseTitle: certificate.course_title,
        attendedFrom: new Date(certificate.attended_from),
        replaces: false,
      });
    }
    return released.length;
  }

  /** Re-issues a delegate's certificates after their name changed (each one only if it now differs). */
  async reviewDelegate(trx: Executor, ctx: MailContext, delegateId: number, now: Date): Promise<void> {
    const bookingIds = await new CertificateRecords(trx).bookingsWithValidCertificate(delegateId);
    await this.review(trx, ctx, bookingIds, { type: 'delegate', id: delegateId }, now);
  }
}

/**
 * Whether a certificate already states what the register and the name now
 * say. Only what a correction can change is compared: a course edited since
 * (its outcomes, say) is no reason to withdraw a certificate.
 */
function states(current: CertificateRow, wanted: { delegateName: string; facts: string }): boolean {
  const parts = (facts: string) => JSON.stringify((JSON.parse(facts) as CertificateFacts).parts);
  return current.delegate_name === wanted.delegateName && parts(current.facts) === parts(wanted.facts);
}
