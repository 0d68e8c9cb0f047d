/**
 * Subject access: everything Trellis holds about one delegate, as a readable
 * page and a machine-readable JSON file, for the delegate themselves
 * (/account/your-data) or for staff answering a request (capability
 * handlePersonalData, audited: who produced it and when). The export's keys
 * are the paths the map of personal data (data/personalDataMap.ts) names for
 * each personal column; a test checks every one is there.
 *
 * It holds nothing of another person: staff appear only as "staff", never by
 * name, and tokens, hashes and passwords are never shown.
 */
import { recordAudit } from '../../data/repositories/auditRecords.js';
import { SubjectAccessRepository } from '../../data/repositories/privacy/subjectAccessRepository.js';
import { BOOKING_STATE_WORDS } from '../../domain/programme/availability.js';
import { formatPence } from '../../domain/charges/money.js';
import { NotFoundError } from '../../errors.js';
import type { ServiceDeps } from '../deps.js';

const PURPOSE_WORDS: Record<string, string> = {
  verify_email: 'Confirm an email address',
  reset_password: 'Reset the password',
  follow_up: 'Answer the follow-up about a course',
  follow_up_opt_out: 'Stop follow-ups to a line manager',
  charge_reason: 'Tell the hub why, about a charge',
  give_up_place: 'Give up a place',
};

const BY_WORDS = { delegate: 'you', staff: 'staff', system: 'Trellis' } as const;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function attachmentNames(text: string): string[] {
  const parsed = parseJson(text);
  if (!Array.isArray(parsed)) return [];
  return parsed
    .map((a) => (a && typeof a === 'object' && 'filename' in a ? String(a.filename) : ''))
    .filter(Boolean);
}

export type SubjectAccessExport = Awaited<ReturnType<SubjectAccessService['build']>>;

export class SubjectAccessService {
  constructor(private readonly deps: ServiceDeps) {}

  /** The delegate's own export. */
  async forDelegate(delegateId: number): Promise<SubjectAccessExport> {
    return this.build(delegateId);
  }

  /**
   * The export for staff answering a request, audited in the same breath:
   * who produced it (the staff id), when, and in which form. The audit
   * entry names no one.
   */
  async forStaff(delegateId: number, staffId: number, form: 'page' | 'json'): Promise<SubjectAccessExport> {
    const data = await this.build(delegateId);
    await recordAudit(
      this.deps.db,
      {
        actorType: 'staff',
        actorId: staffId,
        action: 'subject_access_produced',
        entityType: 'delegate',
        entityId: delegateId,
        details: { form },
      },
      this.deps.clock.now(),
    );
    return data;
  }

  private async build(delegateId: number) {
    const repo = new SubjectAccessRepository(this.deps.db);
    const account = await repo.account(delegateId);
    if (!account) throw new NotFoundError('delegate');
    const hub = (await this.deps.context()).hub;
    const bookings = await repo.bookings(delegateId);
    const bookingIds = bookings.map((b) => b.id);
    const [attendance, certificates, feedback, followUps, charges, signIns] = await Promise.all([
      repo.attendance(bookingIds),
      repo.certificates(bookingIds),
      repo.feedback(bookingIds),
      repo.followUps(bookingIds),
      repo.charges(bookingIds),
      repo.signIns(delegateId),
    ]);
    const addresses = [account.email, account.pending_email].filter((a): a is string => !!a);
    const chargeIds = charges.map((c) => c.id);
    const [emails, links, audit] = await Promise.all([
      repo.emails(addresses, bookingIds),
      repo.links(
        delegateId,
        bookingIds,
        followUps.requests.map((r) => r.id),
        chargeIds,
      ),
      repo.auditEntries(delegateId, bookingIds, chargeIds),
    ]);
    const reference = new Map(bookings.map((b) => [b.id, b.reference]));
    const about = (type: string, id: number) =>
      type === 'booking'
        ? `booking ${reference.get(id) ?? ''}`.trim()
        : type === 'delegate'
          ? 'your account'
          : type === 'charge'
            ? 'a charge on your booking'
            : type;

    return {
      producedAt: this.deps.clock.now().toISOString(),
      hub: hub.name,
      account: {
        name: account.name,
        email: account.email,
        pendingEmail: account.pending_email,
        jobRole: account.job_role,
        lineManagerName: account.line_manager_name,
        lineManagerEmail: account.line_manager_email,
        hasPassword: account.password_hash !== null,
        emailConfirmedAt: account.email_verified_at,
        mergedIntoAnotherAccount: account.merged_into_id !== null,
        createdAt: account.created_at,
        updatedAt: account.updated_at,
        lastActiveAt: account.last_active_at,
        closureWarnedAt: account.closure_warned_at,
        closedAt: account.closed_at,
        anonymisedAt: account.anonymised_at,
      },
      organisation: account.organisation_name
        ? { name: account.organisation_name, type: account.organisation_type }
        : null,
      bookings: bookings.map((b) => {
        const response = feedback.responses.find((r) => r.booking_id === b.id);
        return {
          reference: b.reference,
          session: {
            course: b.course_title,
            startsAt: b.starts_at,
            endsAt: b.ends_at,
            format: b.format,
            venue: b.venue_name,
            cancelledAt: b.session_cancelled_at,
          },
          state: b.state,
          stateText: BOOKING_STATE_WORDS[b.state],
          offerExpiresAt: b.offer_expires_at,
          offeredAt: b.offered_at,
          cancelledAt: b.cancelled_at,
          cancellationReason: b.cancellation_reason,
          cancelledBy: b.cancelled_by,
          accessNeeds: b.access_needs,
          dietaryNeeds: b.dietary_needs,
          needsConsentAt: b.needs_consent_at,
          reminderSentAt: b.reminder_sent_at,
          morningReminderSentAt: b.morning_reminder_sent_at,
          feedbackInvitedAt: b.feedback_invited_at,
          price: { pence: b.price_pence, text: b.price_pence ? formatPence(b.price_pence) : 'Free' },
          organisation: b.organisation_name,
          bookedAt: b.created_at,
          updatedAt: b.updated_at,
          attendance: attendance
            .filter((a) => a.booking_id === b.id)
            .map((a) => ({
              part: a.position + 1,
              startsAt: a.starts_at,
              status: a.status,
              note: a.note,
              markedAt: a.marked_at,
            })),
          certificates: certificates
            .filter((c) => c.booking_id === b.id)
            .map((c) => ({
              number: c.number,
              name: c.delegate_name,
              course: c.course_title,
              attendedFrom: c.attended_from,
              facts: parseJson(c.facts),
              issuedAt: c.issued_at,
              withdrawnAt: c.withdrawn_at,
              releasedAt: c.released_at,
            })),
          feedback: response
            ? {
                usefulness: response.usefulness,
                doDifferently: response.do_differently,
                hubShouldChange: response.hub_should_change,
                quote: response.quote,
                quoteConsent: response.quote_consent,
                quotePublishedAt: response.quote_published_at,
                quoteWithdrawnAt: response.quote_withdrawn_at,
                submittedAt: response.submitted_at,
                updatedAt: response.updated_at,
                outcomes: feedback.outcomes
                  .filter((o) => o.response_id === response.id)
                  .map((o) => ({
                    outcome: o.outcome_text,
                    before: o.confidence_before,
                    after: o.confidence_after,
                  })),
              }
            : null,
          followUps: followUps.requests
            .filter((r) => r.booking_id === b.id)
            .map((r) => ({
              respondent: r.respondent,
              sentTo: r.email,
              sentAt: r.sent_at,
              expiresAt: r.expires_at,
              remindedAt: r.reminded_at,
              answeredAt: r.answered_at,
              outcome: r.outcome,
              example: r.example,
              obstacles: r.obstacles,
              answers: followUps.answers
                .filter((a) => a.request_id === r.id)
                .map((a) => ({ keyArea: a.key_area_text, practiceChange: a.practice_change })),
            })),
          charges: charges
            .filter((c) => c.booking_id === b.id)
            .map((c) => ({
              kind: c.kind,
              state: c.state,
              organisation: c.organisation_name,
              proposed: c.proposed_pence,
              amount: c.amount_pence,
              proposedAt: c.created_at,
              yourReason: c.delegate_reason,
              whatYouToldUs: c.delegate_note,
              answeredAt: c.delegate_answered_at,
              decidedAt: c.decided_at,
              waiverReason: c.waiver_reason,
              decisionNote: c.decision_note,
              invoicedAs: c.invoiced_as,
            })),
        };
      }),
      emails: emails.map((e) => ({
        to: e.to_address,
        toName: e.to_name,
        subject: e.subject,
        kind: e.kind,
        bookingReference: e.booking_reference,
        writtenAt: e.created_at,
        sentAt: e.sent_at,
        /** Null once the hub's period for keeping the words of sent emails has passed. */
        text: e.text_body === '' ? null : e.text_body,
        attachments: attachmentNames(e.attachments),
      })),
      links: links.map((l) => ({
        purpose: l.purpose,
        purposeText: PURPOSE_WORDS[l.purpose] ?? l.purpose,
        sentTo: l.email,
        sentAt: l.created_at,
        expiresAt: l.expires_at,
        usedAt: l.used_at,
      })),
      signIns: signIns.map((s) => ({
        startedAt: s.created_at,
        lastSeenAt: s.last_seen_at,
        expiresAt: s.expires_at,
        endedAt: s.revoked_at,
      })),
      auditEntries: audit.map((a) => ({
        at: a.at,
        by: BY_WORDS[a.actor_type],
        action: a.action,
        about: about(a.entity_type, a.entity_id),
        details: parseJson(a.details),
      })),
    };
  }
}
