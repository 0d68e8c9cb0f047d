/**
 * The database's tables as Kysely sees them. One schema serves SQLite and
 * PostgreSQL, so the column types here are the ones both agree on:
 *
 * - Instants are ISO-8601 UTC text (`2024-11-25T09:30:00.000Z`, always from
 *   `toISOString()`), which sorts and compares the same way in both databases.
 *   Wall-clock times are only ever made from them for display, in Europe/London.
 * - Flags are nullable timestamps (`archived_at`, `published_at`) rather than
 *   booleans, which the two databases store differently and which say less.
 */
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

import type { CourseLevel, SessionFormat } from '../domain/programme/course.js';
import type { BookingState } from '../domain/programme/availability.js';
import type { OrganisationType } from '../domain/programme/organisation.js';
import type {
  ChargeKind,
  ChargeState,
  DelegateReason,
  InvoiceFrequency,
  InvoiceState,
} from '../domain/charges/charges.js';
import type { DocumentKind } from '../domain/charges/invoiceNumbers.js';
import type { FollowUpRespondent, PracticeChange } from '../domain/afterCourse/followUp.js';
import type { SignInKind } from '../domain/accounts/signInSessions.js';
import type { StaffRole, StaffSessionStage } from '../domain/accounts/staff.js';

/** An ISO-8601 UTC instant as stored (see above). */
export type Instant = string;

type CreatedAt = ColumnType<Instant, Instant, never>;

export interface SettingsTable {
  key: string;
  /** JSON text. */
  value: string;
  updated_at: Instant;
}

export interface TopicsTable {
  id: Generated<number>;
  slug: string;
  name: string;
}

export interface AudiencesTable {
  id: Generated<number>;
  slug: string;
  name: string;
}

export interface VenuesTable {
  id: Generated<number>;
  slug: string;
  name: string;
  /** Street address lines joined with "\n", without town and postcode. */
  address_lines: string;
  town: string;
  postcode: string | null;
  phone: string | null;
  /** Markdown. */
  travel_notes: string;
  /** Markdown. */
  access_notes: string;
  created_at: CreatedAt;
  updated_at: Instant;
}

export type TrainerEmployment = 'hub' | 'external';

export interface TrainersTable {
  id: Generated<number>;
  slug: string;
  name: string;
  role_title: string;
  /** Markdown. */
  biography: string;
  /** Path under /assets, or null for no photo. */
  photo_path: string | null;
  employment: TrainerEmployment;
  created_at: CreatedAt;
  updated_at: Instant;
}

export interface CoursesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  summary: string;
  /** Markdown. */
  description: string;
  audience: string;
  level: CourseLevel;
  /** Markdown. */
  content_notes: string;
  cpd_hours: number;
  /** Markdown. */
  practical_notes: string;
  archived_at: Instant | null;
  created_at: CreatedAt;
  updated_at: Instant;
}

/** Shared shape of a course's ordered lists (key areas, learning outcomes). */
export interface CourseListItemTable {
  id: Generated<number>;
  course_id: number;
  position: number;
  text: string;
}

export interface CourseTestimonialsTable {
  id: Generated<number>;
  course_id: number;
  position: number;
  quote: string;
  attribution: string;
  /** Null while unpublished: testimonials appear only with consent. */
  published_at: Instant | null;
}

export interface CourseTopicsTable {
  course_id: number;
  topic_id: number;
}

export interface CourseAudiencesTable {
  course_id: number;
  audience_id: number;
}

export interface SessionsTable {
  id: Generated<number>;
  course_id: number;
  format: SessionFormat;
  venue_id: number | null;
  /** Shown to confirmed delegates only. */
  online_joining_url: string | null;
  capacity: number;
  /**
   * The start of the first part and the end of the last. Written only with
   * the parts (see sessionRepository.replaceParts) so the catalogue can sort
   * and filter on an index instead of aggregating parts on every request.
   */
  starts_at: Instant;
  ends_at: Instant;
  booking_opens_at: Instant | null;
  booking_closes_at: Instant | null;
  /** Markdown notes for this date only. */
  notes: string;
  cancelled_at: Instant | null;
  cancellation_reason: string | null;
  created_at: CreatedAt;
  updated_at: Instant;
}

export interface SessionPartsTable {
  id: Generated<number>;
  session_id: number;
  position: number;
  starts_at: Instant;
  ends_at: Instant;
}

export interface SessionTrainersTable {
  session_id: number;
  trainer_id: number;
  position: number;
}

export type { OrganisationType };

export interface OrganisationsTable {
  id: Generated<number>;
  name: string;
  type: OrganisationType;
  /** Null until staff confirm an organisation a delegate added. */
  confirmed_at: Instant | null;
  /** Set when staff merged this duplicate into another organisation. */
  merged_into_id: number | null;
  created_at: CreatedAt;
  /** Billing details (migration 017): who receives invoices and where. Empty until staff set them. */
  billing_contact: Generated<string>;
  billing_email: Generated<string>;
  /** Address lines joined with "\n". */
  billing_address: Generated<string>;
  purchase_order: Generated<string>;
  invoice_frequency: Generated<InvoiceFrequency>;
}

export interface DelegatesTable {
  id: Generated<number>;
  name: string;
  /** Stored lower-cased; unique. */
  email: string;
  organisation_id: number | null;
  job_role: string;
  line_manager_name: string;
  line_manager_email: string;
  /** argon2id; null for a delegate who has not set a password (added by staff, or demo). */
  password_hash: string | null;
  email_verified_at: Instant | null;
  /** A new address asked for and not yet confirmed from the link sent to it; `email` stays in use until then. */
  pending_email: string | null;
  /** Set when staff merged this duplicate account into another; it can no longer sign in. */
  merged_into_id: number | null;
  created_at: CreatedAt;
  updated_at: Instant | null;
  /** The last sign-in or booking (migration 021); null: none since the account was made. */
  last_active_at: Generated<Instant | null>;
  /** When the "your account will be closed" warning was sent; cleared by activity. */
  closure_warned_at: Generated<Instant | null>;
  /** Closed (by its owner, or after the hub's period of inactivity): no sign-in, no contact details. */
  closed_at: Generated<Instant | null>;
  /** No personal details left: erased on request, or the anonymous holder of bookings past retention. */
  anonymised_at: Generated<Instant | null>;
}

/**
 * A signed-in browser, a delegate's or a member of staff's (migration 012).
 * The cookie holds a random token; only its hash is stored.
 */
export interface SignInSessionsTable {
  id_hash: string;
  kind: SignInKind;
  /** Set for a delegate's session only… */
  delegate_id: number | null;
  /** …and this, with `stage`, for a member of staff's only. */
  staff_id: number | null;
  stage: StaffSessionStage | null;
  created_at: ColumnType<Instant, Instant, never>;
  last_seen_at: Instant;
  /** The absolute end, however active the session is. */
  expires_at: Instant;
  revoked_at: Instant | null;
}

export type PrivateLinkPurpose =
  | 'verify_email'
  | 'reset_password'
  | 'follow_up'
  | 'follow_up_opt_out'
  /** The delegate tells the hub why, about a proposed charge (migration 018). */
  | 'charge_reason'
  | 'give_up_place';

/**
 * A link emailed to act without signing in (see services/accounts/privateLinks.ts).
 * Only the token's hash is stored. It is about a delegate's account
 * (`delegate_id`: confirming an address, resetting a password) or about a
 * follow-up request (`follow_up_request_id`), or about a charge (`charge_id`,
 * migration 018), never more than one.
 */
export interface PrivateLinksTable {
  id: Generated<number>;
  token_hash: string;
  purpose: PrivateLinkPurpose;
  delegate_id: number | null;
  follow_up_request_id: number | null;
  charge_id: Generated<number | null>;
  /** The booking a `give_up_place` link is about (migration 021). */
  booking_id: Generated<number | null>;
  /** The address the link was sent to; an account's link works only while the account still has it. */
  email: string;
  /** Registration only: a hash of the registering browser's secret, cleared once it has signed that browser in. */
  browser_hash: string | null;
  /** Registration only: the page on this site to return to once the address is confirmed. */
  return_path: string | null;
  created_at: Instant;
  expires_at: Instant;
  used_at: Instant | null;
}

export type AuditActorType = 'delegate' | 'staff' | 'system';

/** What happened to a booking (or, later, a course or session), who did it and when. */
export interface AuditLogTable {
  id: Generated<number>;
  at: Instant;
  actor_type: AuditActorType;
  actor_id: number | null;
  action: string;
  entity_type: string;
  entity_id: number;
  /** JSON text. */
  details: string;
}

/**
 * An email waiting to be sent, written in the same transaction as the change
 * it tells of and sent after commit by the outbox sender.
 */
export interface OutboxMessagesTable {
  id: Generated<number>;
  created_at: Instant;
  to_address: string;
  to_name: string;
  subject: string;
  text_body: string;
  html_body: string;
  /** JSON: [{ filename, contentType, content }]. */
  attachments: string;
  /** Which message this is ("booking_confirmed", …), for staff and tests. */
  kind: string;
  booking_id: number | null;
  attempts: number;
  next_attempt_at: Instant;
  /** Set while a sender is working on it, so two senders never send it twice at once. */
  lease_until: Instant | null;
  last_error: string | null;
  sent_at: Instant | null;
}

export interface BookingsTable {
  id: Generated<number>;
  /** The reference a delegate sees; unguessable. */
  reference: string;
  session_id: number;
  delegate_id: number;
  state: BookingState;
  /** Set while state is 'offered'. */
  offer_expires_at: Instant | null;
  cancelled_at: Instant | null;
  cancellation_reason: string | null;
  /** Who cancelled: the delegate, the hub, or the system (an offer that expired). */
  cancelled_by: 'delegate' | 'hub' | 'system' | null;
  /** Shown only to staff and trainers of the session; deleted some days after it. */
  access_needs: string | null;
  dietary_needs: string | null;
  /** When the delegate agreed to the hub holding their needs. */
  needs_consent_at: Instant | null;
  offered_at: Instant | null;
  reminder_sent_at: Instant | null;
  /** When the delegate was invited to give feedback, once, after the session. */
  feedback_invited_at: Generated<Instant | null>;
  /** An online session's morning reminder with the joining link, claimed once (migration 021). */
  morning_reminder_sent_at: Generated<Instant | null>;
  /** The price the delegate was shown and agreed when booking, in pence (migration 017); 0 for a free place. */
  price_pence: Generated<number>;
  /**
   * The organisation the price was fixed for (migration 019): set with the price, whatever organisation
   * the delegate has later; a paid place is invoiced to it and a fee proposed to it. Null: none.
   */
  organisation_id: Generated<number | null>;
  created_at: CreatedAt;
  updated_at: Instant;
}

export interface ChangeCountersTable {
  name: string;
  /** bigint: PostgreSQL returns it as text, so read it through Number(). */
  value: ColumnType<number | string, number, number>;
}

/** Staff: the people who run the programme (see domain/accounts/staff.ts for roles). */
export interface StaffUsersTable {
  id: Generated<number>;
  name: string;
  /** Lower case. */
  email: string;
  role: StaffRole;
  trainer_id: number | null;
  /** argon2id. */
  password_hash: string;
  /** Base32 TOTP secret, stored as given (encrypting it at rest is a follow-up). */
  totp_secret: string | null;
  totp_enrolled_at: Instant | null;
  /** The last TOTP time step accepted, so each code works once. */
  totp_last_step: number | null;
  disabled_at: Instant | null;
  /** Set while the password is a one-time one: the person must choose their own first. */
  password_change_required_at: Instant | null;
  created_at: ColumnType<Instant, Instant, never>;
  updated_at: Instant;
}

export type AttendanceStatus = 'attended' | 'partial' | 'absent';

/** Whether a delegate was there, for one part of a session. */
export interface AttendanceTable {
  id: Generated<number>;
  booking_id: number;
  session_part_id: number;
  status: AttendanceStatus;
  note: string;
  marked_by_staff_id: number | null;
  marked_at: Instant;
}

export interface StaffRecoveryCodesTable {
  id: Generated<number>;
  staff_id: number;
  code_hash: string;
  created_at: ColumnType<Instant, Instant, never>;
  used_at: Instant | null;
}

/** A scheduled job's latest claimed period and last run (see jobs/scheduler.ts). */
export interface JobRunsTable {
  /** The job's name in the registry (jobs/registry.ts). */
  job: string;
  /** The period claimed last: the instant it became due. Claims only move it later. */
  due_at: Instant | null;
  outcome: 'running' | 'succeeded' | 'failed' | null;
  started_at: Instant | null;
  finished_at: Instant | null;
  /** JSON counts of what the last successful run did, e.g. {"sent":2}. */
  result: string | null;
  /** Why the last failure happened, with email addresses removed. */
  last_error: string | null;
  last_error_at: Instant | null;
  /** After a failure, when the same period may be claimed again. */
  retry_at: Instant | null;
}

/**
 * A certificate of attendance (migration 013): what it states, fixed when
 * issued; withdrawn (never deleted) when attendance or the name is corrected.
 */
export interface CertificatesTable {
  id: Generated<number>;
  /** Unguessable; what the verification page is asked about. */
  number: string;
  booking_id: number;
  /** The delegate's name as registered when it was issued. */
  delegate_name: string;
  course_title: string;
  /** The start of the first part attended. */
  attended_from: Instant;
  /** JSON: the rest of what it states (services/afterCourse/certificateIssuing.ts CertificateFacts). */
  facts: string;
  issued_at: Instant;
  withdrawn_at: Instant | null;
  /**
   * When it became downloadable and the "certificate ready" email went
   * (migration 016): at issue, or, while the hub holds certificates until
   * feedback is given, when the delegate gives it. Null while held.
   */
  released_at: Instant | null;
}

/** What a place costs an organisation type on a course (migration 017); no row is free. */
export interface CoursePricesTable {
  course_id: number;
  organisation_type: OrganisationType;
  amount_pence: number;
}

/** A session's own price for an organisation type, replacing its course's. */
export interface SessionPricesTable {
  session_id: number;
  organisation_type: OrganisationType;
  amount_pence: number;
}

/** Something an organisation may pay for (see migration 017 and domain/charges/). */
export interface ChargesTable {
  id: Generated<number>;
  booking_id: number;
  organisation_id: number;
  kind: ChargeKind;
  state: ChargeState;
  proposed_pence: number;
  /** What is owed once confirmed; null while proposed. */
  amount_pence: number | null;
  created_at: Instant;
  delegate_reason: DelegateReason | null;
  delegate_note: Generated<string>;
  delegate_answered_at: Instant | null;
  decided_at: Instant | null;
  decided_by_staff_id: number | null;
  waiver_reason: string | null;
  decision_note: Generated<string>;
  /** The live invoice it is on. */
  invoice_id: number | null;
}

/** An invoice or a credit note. */
export interface InvoicesTable {
  id: Generated<number>;
  kind: DocumentKind;
  state: InvoiceState;
  organisation_id: number;
  booking_id: number | null;
  credits_invoice_id: number | null;
  /** "INV-2026-0001": null until issued. */
  number: string | null;
  financial_year: number | null;
  sequence: number | null;
  customer_name: string;
  billing_contact: Generated<string>;
  billing_email: Generated<string>;
  billing_address: Generated<string>;
  purchase_order: Generated<string>;
  vat_rate_basis_points: Generated<number>;
  net_pence: Generated<number>;
  vat_pence: Generated<number>;
  gross_pence: Generated<number>;
  reason: Generated<string>;
  created_at: Instant;
  created_by_staff_id: number | null;
  issued_at: Instant | null;
  issued_by_staff_id: number | null;
  /** London dates, YYYY-MM-DD. */
  issued_on: string | null;
  due_on: string | null;
  paid_on: string | null;
  paid_reference: string | null;
  voided_at: Instant | null;
  /** The hub as the issued document prints it, JSON (migration 020); null on drafts and older documents. */
  issuer: string | null;
  /** When it was recorded paid (migration 020); null before that, when `paid_on` stands in. */
  paid_at: Instant | null;
}

export interface InvoiceSequencesTable {
  kind: DocumentKind;
  financial_year: number;
  last_sequence: number;
}

/** One line per delegate and session; a credit note's line credits an invoice's. */
export interface InvoiceLinesTable {
  id: Generated<number>;
  invoice_id: number;
  position: number;
  charge_id: number | null;
  credits_line_id: number | null;
  description: string;
  delegate_name: string;
  /** London date, YYYY-MM-DD. */
  session_date: string;
  net_pence: number;
  vat_pence: number;
  gross_pence: number;
  /** On an invoice's line: how much credit notes have credited so far (never more than gross). */
  credited_pence: Generated<number>;
}

/** The database or a transaction on it: what repositories and locked work run against. */
export type Executor = Kysely<DB> | Transaction<DB>;

/** A delegate's feedback on a course they attended; one per booking. */
export interface FeedbackResponsesTable {
  id: Generated<number>;
  booking_id: number;
  /** 1 to 5, or null when not answered: every question may be skipped. */
  usefulness: number | null;
  do_differently: string;
  hub_should_change: string;
  quote: string;
  quote_consent: 'no' | 'anonymous' | 'job_role' | 'name' | null;
  submitted_at: Instant;
  updated_at: Instant;
  /** When the delegate withdrew consent to publish their quote (migration 016); cleared if they give it again. */
  quote_withdrawn_at: Instant | null;
}

/**
 * A quote from feedback that a coordinator chose to show on the course page
 * (migration 016). Deleted when the delegate withdraws it or changes its words.
 */
export interface QuotePublicationsTable {
  id: Generated<number>;
  response_id: number;
  published_at: Instant;
  published_by_staff_id: number | null;
}

/** Confidence before and after, for one learning outcome, with the outcome's words as asked. */
export interface FeedbackOutcomeAnswersTable {
  response_id: number;
  learning_outcome_id: number;
  outcome_text: string;
  confidence_before: number | null;
  confidence_after: number | null;
}


/** The three-month follow-up: one per booking and respondent, claimed by inserting it. */
export interface FollowUpRequestsTable {
  id: Generated<number>;
  booking_id: number;
  respondent: FollowUpRespondent;
  /** The address it was sent to. */
  email: string;
  sent_at: Instant;
  /** Its links stop working then (the reminder's too). */
  expires_at: Instant;
  reminded_at: Instant | null;
  answered_at: Instant | null;
  /** Answered, or (a line manager only) the delegate no longer works with them. */
  outcome: 'answered' | 'no_longer_works_with' | null;
  example: string;
  obstacles: string;
}

/** Whether practice changed in one of the course's key areas, with the key area's words as asked. */
export interface FollowUpAnswersTable {
  request_id: number;
  key_area_id: number;
  key_area_text: string;
  practice_change: PracticeChange;
}

/** An address (a line manager's) that asked never to be sent a follow-up again. */
export interface FollowUpOptOutsTable {
  email: string;
  opted_out_at: Instant;
}

export interface DB {
  staff_users: StaffUsersTable;
  staff_recovery_codes: StaffRecoveryCodesTable;
  attendance: AttendanceTable;
  sign_in_sessions: SignInSessionsTable;
  private_links: PrivateLinksTable;
  audit_log: AuditLogTable;
  outbox_messages: OutboxMessagesTable;
  job_runs: JobRunsTable;
  change_counters: ChangeCountersTable;
  settings: SettingsTable;
  topics: TopicsTable;
  audiences: AudiencesTable;
  venues: VenuesTable;
  trainers: TrainersTable;
  courses: CoursesTable;
  course_key_areas: CourseListItemTable;
  course_learning_outcomes: CourseListItemTable;
  course_testimonials: CourseTestimonialsTable;
  course_topics: CourseTopicsTable;
  course_audiences: CourseAudiencesTable;
  sessions: SessionsTable;
  session_parts: SessionPartsTable;
  session_trainers: SessionTrainersTable;
  organisations: OrganisationsTable;
  delegates: DelegatesTable;
  bookings: BookingsTable;
  certificates: CertificatesTable;
  feedback_responses: FeedbackResponsesTable;
  feedback_outcome_answers: FeedbackOutcomeAnswersTable;
  quote_publications: QuotePublicationsTable;
  follow_up_requests: FollowUpRequestsTable;
  follow_up_answers: FollowUpAnswersTable;
  follow_up_opt_outs: FollowUpOptOutsTable;
  course_prices: CoursePricesTable;
  session_prices: SessionPricesTable;
  charges: ChargesTable;
  invoices: InvoicesTable;
  invoice_sequences: InvoiceSequencesTable;
  invoice_lines: InvoiceLinesTable;
}

export type Course = Selectable<CoursesTable>;
export type Venue = Selectable<VenuesTable>;
export type Trainer = Selectable<TrainersTable>;
export type Session = Selectable<SessionsTable>;
export type SessionPart = Selectable<SessionPartsTable>;
export type NewSession = Insertable<SessionsTable>;
