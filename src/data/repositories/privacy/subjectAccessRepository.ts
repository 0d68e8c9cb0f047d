/**
 * SubjectAccessRepository: everything Trellis holds about one delegate, read
 * for their subject access export (services/privacy/subjectAccess.ts). Reads
 * only. Every query starts from the delegate's id (or from their own
 * bookings, charges, follow-ups and addresses), so nothing of another person
 * comes back. What it reads follows the map of personal data
 * (data/personalDataMap.ts).
 */
import type { Executor } from '../../schema.js';

export class SubjectAccessRepository {
  constructor(private readonly db: Executor) {}

  async account(delegateId: number) {
    return this.db
      .selectFrom('delegates')
      .leftJoin('organisations', 'organisations.id', 'delegates.organisation_id')
      .where('delegates.id', '=', delegateId)
      .where('delegates.anonymised_at', 'is', null)
      .select([
        'delegates.id',
        'delegates.name',
        'delegates.email',
        'delegates.pending_email',
        'delegates.job_role',
        'delegates.line_manager_name',
        'delegates.line_manager_email',
        'delegates.password_hash',
        'delegates.email_verified_at',
        'delegates.merged_into_id',
        'delegates.created_at',
        'delegates.updated_at',
        'delegates.last_active_at',
        'delegates.closure_warned_at',
        'delegates.closed_at',
        'delegates.anonymised_at',
        'organisations.name as organisation_name',
        'organisations.type as organisation_type',
      ])
      .executeTakeFirst();
  }

  /** The delegate's bookings, with their session, course and the organisation the price was fixed for. */
  async bookings(delegateId: number) {
    return this.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .leftJoin('venues', 'venues.id', 'sessions.venue_id')
      .leftJoin('organisations', 'organisations.id', 'bookings.organisation_id')
      .where('bookings.delegate_id', '=', delegateId)
      .select([
        'bookings.id',
        'bookings.reference',
        'bookings.state',
        'bookings.offer_expires_at',
        'bookings.cancelled_at',
        'bookings.cancellation_reason',
        'bookings.cancelled_by',
        'bookings.access_needs',
        'bookings.dietary_needs',
        'bookings.needs_consent_at',
        'bookings.offered_at',
        'bookings.reminder_sent_at',
        'bookings.feedback_invited_at',
        'bookings.morning_reminder_sent_at',
        'bookings.price_pence',
        'bookings.created_at',
        'bookings.updated_at',
        'organisations.name as organisation_name',
        'sessions.id as session_id',
        'sessions.starts_at',
        'sessions.ends_at',
        'sessions.format',
        'sessions.cancelled_at as session_cancelled_at',
        'courses.title as course_title',
        'venues.name as venue_name',
      ])
      .orderBy('sessions.starts_at')
      .orderBy('bookings.id')
      .execute();
  }

  async attendance(bookingIds: number[]) {
    if (!bookingIds.length) return [];
    return this.db
      .selectFrom('attendance')
      .innerJoin('session_parts', 'session_parts.id', 'attendance.session_part_id')
      .where('attendance.booking_id', 'in', bookingIds)
      .select([
        'attendance.booking_id',
        'attendance.status',
        'attendance.note',
        'attendance.marked_at',
        'session_parts.position',
        'session_parts.starts_at',
      ])
      .orderBy('attendance.booking_id')
      .orderBy('session_parts.position')
      .execute();
  }

  async certificates(bookingIds: number[]) {
    if (!bookingIds.length) return [];
    return this.db
      .selectFrom('certificates')
      .where('booking_id', 'in', bookingIds)
      .select([
        'booking_id',
        'number',
        'delegate_name',
        'course_title',
        'attended_from',
        'facts',
        'issued_at',
        'withdrawn_at',
        'released_at',
      ])
      .orderBy('id')
      .execute();
  }

  async feedback(bookingIds: number[]) {
    if (!bookingIds.length) return { responses: [], outcomes: [] };
    const responses = await this.db
      .selectFrom('feedback_responses')
      .leftJoin('quote_publications', 'quote_publications.response_id', 'feedback_responses.id')
      .where('feedback_responses.booking_id', 'in', bookingIds)
      .select([
        'feedback_responses.id',
        'feedback_responses.booking_id',
        'feedback_responses.usefulness',
        'feedback_responses.do_differently',
        'feedback_responses.hub_should_change',
        'feedback_responses.quote',
        'feedback_responses.quote_consent',
        'feedback_responses.submitted_at',
        'feedback_responses.updated_at',
        'feedback_responses.quote_withdrawn_at',
        'quote_publications.published_at as quote_published_at',
      ])
      .execute();
    const ids = responses.map((r) => r.id);
    const outcomes = ids.length
      ? await this.db
          .selectFrom('feedback_outcome_answers')
          .where('response_id', 'in', ids)
          .select(['response_id', 'outcome_text', 'confidence_before', 'confidence_after'])
          .orderBy('response_id')
          .orderBy('learning_outcome_id')
          .execute()
      : [];
    return { responses, outcomes };
  }

  async followUps(bookingIds: number[]) {
    if (!bookingIds.length) return { requests: [], answers: [] };
    const requests = await this.db
      .selectFrom('follow_up_requests')
      .where('booking_id', 'in', bookingIds)
      .select([
        'id',
        'booking_id',
        'respondent',
        'email',
        'sent_at',
        'expires_at',
        'reminded_at',
        'answered_at',
        'outcome',
        'example',
        'obstacles',
      ])
      .orderBy('id')
      .execute();
    const ids = requests.map((r) => r.id);
    const answers = ids.length
      ? await this.db
          .selectFrom('follow_up_answers')
          .where('request_id', 'in', ids)
          .select(['request_id', 'key_area_text', 'practice_change'])
          .orderBy('request_id')
          .orderBy('key_area_id')
          .execute()
      : [];
    return { requests, answers };
  }

  /** Charges on the bookings, with the organisation and how an invoice line names the delegate. */
  async charges(bookingIds: number[]) {
    if (!bookingIds.length) return [];
    return this.db
      .selectFrom('charges')
      .innerJoin('organisations', 'organisations.id', 'charges.organisation_id')
      .leftJoin('invoice_lines', (join) =>
        join
          .onRef('invoice_lines.charge_id', '=', 'charges.id')
          .on('invoice_lines.credits_line_id', 'is', null),
      )
      .where('charges.booking_id', 'in', bookingIds)
      .select([
        'charges.id',
        'charges.booking_id',
        'charges.kind',
        'charges.state',
        'charges.proposed_pence',
        'charges.amount_pence',
        'charges.created_at',
        'charges.delegate_reason',
        'charges.delegate_note',
        'charges.delegate_answered_at',
        'charges.decided_at',
        'charges.waiver_reason',
        'charges.decision_note',
        'organisations.name as organisation_name',
        'invoice_lines.delegate_name as invoiced_as',
      ])
      .orderBy('charges.id')
      .execute();
  }

  /** Emails Trellis still holds that went (or will go) to the delegate's addresses or are about their bookings. */
  async emails(addresses: string[], bookingIds: number[]) {
    return this.db
      .selectFrom('outbox_messages')
      .leftJoin('bookings', 'bookings.id', 'outbox_messages.booking_id')
      .where((eb) =>
        eb.or([
          eb('outbox_messages.to_address', 'in', addresses.length ? addresses : ['']),
          // About their booking, to their line manager too: still about them.
          ...(bookingIds.length ? [eb('outbox_messages.booking_id', 'in', bookingIds)] : []),
        ]),
      )
      .select([
        'outbox_messages.to_address',
        'outbox_messages.to_name',
        'outbox_messages.subject',
        'outbox_messages.kind',
        'outbox_messages.text_body',
        'outbox_messages.attachments',
        'outbox_messages.created_at',
        'outbox_messages.sent_at',
        'bookings.reference as booking_reference',
      ])
      .orderBy('outbox_messages.created_at')
      .orderBy('outbox_messages.id')
      .execute();
  }

  /** Emailed links not yet used or expired about the delegate's account, bookings, follow-ups or charges. */
  async links(delegateId: number, bookingIds: number[], requestIds: number[], chargeIds: number[]) {
    return this.db
      .selectFrom('private_links')
      .where((eb) =>
        eb.or([
          eb('delegate_id', '=', delegateId),
          ...(bookingIds.length ? [eb('booking_id', 'in', bookingIds)] : []),
          ...(requestIds.length ? [eb('follow_up_request_id', 'in', requestIds)] : []),
          ...(chargeIds.length ? [eb('charge_id', 'in', chargeIds)] : []),
        ]),
      )
      .select(['purpose', 'email', 'created_at', 'expires_at', 'used_at'])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async signIns(delegateId: number) {
    return this.db
      .selectFrom('sign_in_sessions')
      .where('delegate_id', '=', delegateId)
      .select(['created_at', 'last_seen_at', 'expires_at', 'revoked_at'])
      .orderBy('created_at')
      .execute();
  }

  /** Audit entries about the delegate, their bookings or charges, or made by them. */
  async auditEntries(delegateId: number, bookingIds: number[], chargeIds: number[]) {
    return this.db
      .selectFrom('audit_log')
      .where((eb) =>
        eb.or([
          eb.and([eb('actor_type', '=', 'delegate'), eb('actor_id', '=', delegateId)]),
          eb.and([eb('entity_type', '=', 'delegate'), eb('entity_id', '=', delegateId)]),
          ...(bookingIds.length
            ? [eb.and([eb('entity_type', '=', 'booking'), eb('entity_id', 'in', bookingIds)])]
            : []),
          ...(chargeIds.length
            ? [eb.and([eb('entity_type', '=', 'charge'), eb('entity_id', 'in', chargeIds)])]
            : []),
        ]),
      )
      .select(['at', 'actor_type', 'action', 'entity_type', 'entity_id', 'details'])
      .orderBy('at')
      .orderBy('id')
      .execute();
  }
}
