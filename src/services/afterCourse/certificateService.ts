/**
 * Certificates of attendance as people ask for them: a delegate's own as a
 * PDF, a session's all in one PDF for staff, and the public verification of
 * a number. (Issuing them is certificateIssuing.ts, run where marks and names
 * change.)
 */
import {
  CertificateRecords,
  type CertificateRow,
} from '../../data/repositories/afterCourse/certificateRecords.js';
import { recordAudit } from '../../data/repositories/auditRecords.js';
import { CERTIFICATE_NUMBER } from '../../domain/afterCourse/certificate.js';
import { holds, maySeeSession } from '../../domain/accounts/permissions.js';
import { formatDate } from '../../domain/time/time.js';
import { NotFoundError } from '../../errors.js';
import { certificatesPdf, type CertificateContent } from '../../formats/certificatePdf.js';
import type { StaffMember } from './attendanceService.js';
import type { ServiceDeps } from '../deps.js';
import type { CertificateFacts } from './certificateIssuing.js';

export interface CertificateFile {
  filename: string;
  pdf: Buffer;
}

/**
 * What the public verification page may say: name, course and date for a valid number, nothing more.
 * `delegateName` is null once the holder's name is no longer held (erased on request, or anonymised
 * after the hub's period): the certificate still shows it was issued for that course and those dates.
 */
export type Verification =
  | { status: 'valid'; number: string; delegateName: string | null; courseTitle: string; date: string }
  | { status: 'withdrawn'; number: string }
  | { status: 'unknown' };

export class CertificateService {
  private readonly records: CertificateRecords;

  constructor(private readonly deps: ServiceDeps) {
    this.records = new CertificateRecords(deps.db);
  }

  /** The references of a delegate's bookings that have a certificate to download. */
  async referencesWithCertificate(delegateId: number): Promise<Set<string>> {
    return new Set(await this.records.referencesWithCertificate(delegateId));
  }

  /** The references of a delegate's bookings whose certificate waits for their feedback (the hub's policy). */
  async referencesWaitingForFeedback(delegateId: number): Promise<Set<string>> {
    return new Set(await this.records.referencesWaitingForFeedback(delegateId));
  }

  /** A delegate's certificate for their booking; NotFoundError for anyone else's, or none. */
  async delegateCertificate(delegateId: number, reference: string): Promise<CertificateFile> {
    const row = await this.records.validForDelegateBooking(delegateId, reference);
    if (!row) throw new NotFoundError('certificate');
    const pdf = await this.pdf([row], `Certificate of attendance: ${row.course_title}`);
    return { filename: `certificate-${row.number}.pdf`, pdf };
  }

  /**
   * Every valid certificate of a session in one PDF, for those who mark its
   * attendance (trainers, their own sessions only); audited, as other
   * downloads of personal data in bulk are.
   */
  async sessionCertificates(sessionId: number, staff: StaffMember): Promise<CertificateFile> {
    const session = await this.records.session(sessionId);
    if (!session || !holds(staff.role, 'markAttendance')) throw new NotFoundError('session');
    const trainers = await this.records.sessionTrainers([sessionId]);
    if (
      !maySeeSession(
        staff,
        trainers.some((t) => t.trainer_id === staff.trainerId),
      )
    ) {
      throw new NotFoundError('session');
    }
    const rows = await this.records.validForSession(sessionId);
    await recordAudit(
      this.deps.db,
      {
        actorType: 'staff',
        actorId: staff.id,
        action: 'export_downloaded',
        entityType: 'session',
        entityId: sessionId,
        details: { export: 'certificates', certificates: rows.length },
      },
      this.deps.clock.now(),
    );
    const pdf = await this.pdf(
      rows,
      `Certificates of attendance: ${session.course_title}, ${formatDate(new Date(session.starts_at))}`,
    );
    return { filename: `certificates-${session.course_slug}-${session.id}.pdf`, pdf };
  }

  /** What a number's verification page says. Anything not shaped like a number is simply unknown. */
  async verify(number: string): Promise<Verification> {
    const normalised = number.trim().toUpperCase();
    if (!CERTIFICATE_NUMBER.test(normalised)) return { status: 'unknown' };
    const row = await this.records.byNumber(normalised);
    if (!row) return { status: 'unknown' };
    if (row.withdrawn_at) return { status: 'withdrawn', number: row.number };
    return {
      status: 'valid',
      number: row.number,
      delegateName: row.delegate_name === '' ? null : row.delegate_name,
      courseTitle: row.course_title,
      date: attendedDates(row),
    };
  }

  private async pdf(rows: readonly CertificateRow[], title: string): Promise<Buffer> {
    const { hub } = await this.deps.context();
    return certificatesPdf(
      rows.map((row) => this.content(row)),
      hub,
      { title },
    );
  }

  private content(row: CertificateRow): CertificateContent {
    const facts = JSON.parse(row.facts) as CertificateFacts;
    return {
      number: row.number,
      delegateName: row.delegate_name,
      courseTitle: row.course_title,
      parts: facts.parts.map((p) => ({ startsAt: new Date(p.startsAt), endsAt: new Date(p.endsAt) })),
      whole: facts.whole,
      sessionParts: facts.sessionParts,
      minutes: facts.minutes,
      cpdHours: facts.cpdHours,
      trainers: facts.trainers,
      learningOutcomes: facts.learningOutcomes,
      issuedAt: new Date(row.issued_at),
      verifyUrl: `${this.deps.publicUrl}/certificates/${row.number}`,
    };
  }
}

/** The London dates attended, "12 March 2026" or "12 March 2026 and 19 March 2026". */
function attendedDates(row: CertificateRow): string {
  let dates: string[] = [];
  try {
    const facts = JSON.parse(row.facts) as CertificateFacts;
    dates = [...new Set(facts.parts.map((p) => formatDate(new Date(p.startsAt))))];
  } catch {
    dates = [];
  }
  if (!dates.length) return formatDate(new Date(row.attended_from));
  return dates.length === 1 ? dates[0]! : `${dates.slice(0, -1).join(', ')} and ${dates[dates.length - 1]}`;
}
