/**
 * The map of personal data: every table and column of the schema, each
 * either personal (about a delegate, a line manager or a member of staff),
 * with where the subject access export shows it, what erasing a delegate
 * does to it and which retention rule applies to it, or not personal, with
 * a short reason. test/integration/personal-data-map.test.ts reads the real
 * columns from both databases and fails when one is missing here, so a new
 * column is classified when it is added.
 *
 * The words here describe what the code does: PersonalDataRecords
 * (data/repositories/privacy/personalDataRecords.ts) for closing, anonymising
 * and erasing; services/privacy/subjectAccess.ts for the export; the
 * retention schedule (domain/hub/retention.ts) for how long.
 */

/** Which rule of the retention schedule decides how long a column is kept (domain/hub/retention.ts). */
export type RetentionRule =
  | 'bookingDetailsYears'
  | 'inactiveAccountMonths'
  | 'sentEmailBodyDays'
  | 'sentEmailRecordMonths'
  | 'auditLogYears'
  | 'FINANCIAL_RECORD_YEARS'
  | 'SPENT_RECORD_DAYS'
  /** Kept while the row it belongs to is needed; no period of its own. */
  | 'withItsRow'
  /** Staff accounts: kept while the person works for the hub; disabled, never deleted, by an admin. */
  | 'staffAccount';

export interface PersonalColumn {
  personal: true;
  /**
   * Where a delegate's subject access export (JSON) shows it, as a path:
   * `account.name`, `bookings[].accessNeeds`. Null when it is not shown,
   * with the reason in `notExported`.
   */
  export: string | null;
  notExported?: string;
  /** What erasing a delegate (PersonalDataRecords.eraseDelegate) does to it. */
  erasure: string;
  /**
   * Set when a delegate's name or email address may stay in this column
   * after they are erased, saying why (the erasure test allows only these).
   */
  keptOnErasure?: string;
  retention: RetentionRule;
}

export interface NotPersonalColumn {
  personal: false;
  reason: string;
}

export type ColumnEntry = PersonalColumn | NotPersonalColumn;

export interface TableEntry {
  about: string;
  columns: Record<string, ColumnEntry>;
}

const no = (reason: string): NotPersonalColumn => ({ personal: false, reason });
const ID = no('an identifier');
const LINK = no('a link to another row, which says nothing about a person by itself');
const WHEN_ROW = no('when the row was made or changed');
const CATALOGUE = no('the hub’s published programme');
const POSITION = no('the order of a list');
const MONEY = no('an amount of money, the same for everyone it applies to');

const personal = (entry: Omit<PersonalColumn, 'personal'>): PersonalColumn => ({ personal: true, ...entry });

const BOOKING_ANONYMISED = 'cleared when the booking is anonymised (erasure anonymises every booking at once)';

/**
 * Tables each database keeps for itself, whose columns differ between
 * SQLite and PostgreSQL: not personal, and not listed column by column.
 * `session_search_*` are SQLite's FTS5 shadow tables.
 */
export const INTERNAL_TABLES: Record<string, string> = {
  kysely_migration: 'which migrations have run',
  kysely_migration_lock: 'the migrator’s lock',
  session_search:
    'the search index of published sessions (course, venue and trainer words), rebuilt from the programme',
};
export const INTERNAL_TABLE_PREFIXES = ['session_search_'];

export const PERSONAL_DATA_MAP: Record<string, TableEntry> = {
  settings: {
    about: 'the hub’s settings',
    columns: {
      key: no('a setting’s name'),
      value: no('the hub’s own details and policies, not a delegate’s'),
      updated_at: WHEN_ROW,
    },
  },
  topics: { about: 'catalogue topics', columns: { id: ID, slug: CATALOGUE, name: CATALOGUE } },
  audiences: { about: 'catalogue audiences', columns: { id: ID, slug: CATALOGUE, name: CATALOGUE } },
  venues: {
    about: 'places where sessions are held',
    columns: {
      id: ID,
      slug: CATALOGUE,
      name: CATALOGUE,
      address_lines: no('a venue’s public address'),
      town: no('a venue’s public address'),
      postcode: no('a venue’s public address'),
      phone: no('a venue’s public telephone number'),
      travel_notes: CATALOGUE,
      access_notes: CATALOGUE,
      created_at: WHEN_ROW,
      updated_at: WHEN_ROW,
    },
  },
  trainers: {
    about: 'trainers as the public programme shows them',
    columns: {
      id: ID,
      slug: CATALOGUE,
      name: no('a trainer’s name as published with their consent on the programme; trainers are not delegates'),
      role_title: CATALOGUE,
      biography: CATALOGUE,
      photo_path: CATALOGUE,
      employment: CATALOGUE,
      created_at: WHEN_ROW,
      updated_at: WHEN_ROW,
    },
  },
  courses: {
    about: 'courses',
    columns: {
      id: ID,
      slug: CATALOGUE,
      title: CATALOGUE,
      summary: CATALOGUE,
      description: CATALOGUE,
      audience: CATALOGUE,
      level: CATALOGUE,
      content_notes: CATALOGUE,
      cpd_hours: CATALOGUE,
      practical_notes: CATALOGUE,
      archived_at: CATALOGUE,
      created_at: WHEN_ROW,
      updated_at: WHEN_ROW,
    },
  },
  course_key_areas: {
    about: 'a course’s key areas',
    columns: { id: ID, course_id: LINK, position: POSITION, text: CATALOGUE },
  },
  course_learning_outcomes: {
    about: 'a course’s learning outcomes',
    columns: { id: ID, course_id: LINK, position: POSITION, text: CATALOGUE },
  },
  course_testimonials: {
    about: 'testimonials staff type in for a course page, published with consent',
    columns: {
      id: ID,
      course_id: LINK,
      position: POSITION,
      quote: no('published words staff entered with the author’s consent, not linked to any account'),
      attribution: no('as published with the author’s consent, not linked to any account'),
      published_at: CATALOGUE,
    },
  },
  course_topics: { about: 'which topics a course has', columns: { course_id: LINK, topic_id: LINK } },
  course_audiences: { about: 'which audiences a course is for', columns: { course_id: LINK, audience_id: LINK } },
  sessions: {
    about: 'dated sessions of courses',
    columns: {
      id: ID,
      course_id: LINK,
      format: CATALOGUE,
      venue_id: LINK,
      online_joining_url: no('the same joining link for every delegate of the session'),
      capacity: CATALOGUE,
      starts_at: CATALOGUE,
      ends_at: CATALOGUE,
      booking_opens_at: CATALOGUE,
      booking_closes_at: CATALOGUE,
      notes: CATALOGUE,
      cancelled_at: CATALOGUE,
      cancellation_reason: no('the hub’s reason for cancelling a session, told to everyone booked'),
      created_at: WHEN_ROW,
      updated_at: WHEN_ROW,
    },
  },
  session_parts: {
    about: 'the parts (days) of a session',
    columns: { id: ID, session_id: LINK, position: POSITION, starts_at: CATALOGUE, ends_at: CATALOGUE },
  },
  session_trainers: {
    about: 'who teaches a session',
    columns: { session_id: LINK, trainer_id: LINK, position: POSITION },
  },
  organisations: {
    about: 'organisations delegates work for, and their billing details',
    columns: {
      id: ID,
      name: no('an organisation’s name'),
      type: no('an organisation’s type'),
      confirmed_at: WHEN_ROW,
      merged_into_id: LINK,
      created_at: WHEN_ROW,
      billing_contact: no(
        'the organisation’s billing contact, set by staff for the organisation; a delegate’s own details are never copied here',
      ),
      billing_email: no('the organisation’s billing address for invoices, set by staff'),
      billing_address: no('the organisation’s postal address for invoices'),
      purchase_order: no('the organisation’s purchase order reference'),
      invoice_frequency: no('how often the organisation is invoiced'),
    },
  },
  delegates: {
    about: 'delegates’ accounts (and anonymous holders of anonymised bookings, with no name and no address)',
    columns: {
      id: ID,
      name: personal({
        export: 'account.name',
        erasure: 'removed (left empty); the row is marked anonymised',
        retention: 'bookingDetailsYears',
      }),
      email: personal({
        export: 'account.email',
        erasure: 'replaced by an address that cannot be reached and says nothing about who (…@anonymised.invalid)',
        retention: 'inactiveAccountMonths',
      }),
      organisation_id: personal({
        export: 'organisation.name',
        erasure: 'removed from the person’s row; their anonymised bookings keep it, for reports',
        retention: 'bookingDetailsYears',
      }),
      job_role: personal({
        export: 'account.jobRole',
        erasure: 'removed from the person’s row; the anonymous holder of their bookings keeps it, for reports',
        retention: 'bookingDetailsYears',
      }),
      line_manager_name: personal({
        export: 'account.lineManagerName',
        erasure: 'removed when the account is closed',
        retention: 'inactiveAccountMonths',
      }),
      line_manager_email: personal({
        export: 'account.lineManagerEmail',
        erasure: 'removed when the account is closed',
        retention: 'inactiveAccountMonths',
      }),
      password_hash: personal({
        export: 'account.hasPassword',
        notExported: 'a one-way hash: the export says only whether a password is set',
        erasure: 'removed when the account is closed',
        retention: 'inactiveAccountMonths',
      }),
      email_verified_at: personal({
        export: 'account.emailConfirmedAt',
        erasure: 'kept as a date with no one attached to it',
        retention: 'withItsRow',
      }),
      pending_email: personal({
        export: 'account.pendingEmail',
        erasure: 'removed when the account is closed',
        retention: 'SPENT_RECORD_DAYS',
      }),
      merged_into_id: personal({
        export: 'account.mergedIntoAnotherAccount',
        erasure: 'kept as a link between rows that no longer name anyone (a merged duplicate is erased too)',
        retention: 'withItsRow',
      }),
      created_at: personal({
        export: 'account.createdAt',
        erasure: 'kept as a date with no one attached to it',
        retention: 'withItsRow',
      }),
      updated_at: personal({
        export: 'account.updatedAt',
        erasure: 'kept as a date with no one attached to it',
        retention: 'withItsRow',
      }),
      last_active_at: personal({
        export: 'account.lastActiveAt',
        erasure: 'kept as a date with no one attached to it',
        retention: 'inactiveAccountMonths',
      }),
      closure_warned_at: personal({
        export: 'account.closureWarnedAt',
        erasure: 'cleared when the account is closed',
        retention: 'inactiveAccountMonths',
      }),
      closed_at: personal({
        export: 'account.closedAt',
        erasure: 'set: the account is closed',
        retention: 'withItsRow',
      }),
      anonymised_at: personal({
        export: 'account.anonymisedAt',
        erasure: 'set: the row names no one',
        retention: 'withItsRow',
      }),
    },
  },
  sign_in_sessions: {
    about: 'signed-in browsers, delegates’ and staff’s',
    columns: {
      id_hash: no('a hash of a random token'),
      kind: no('whether a delegate or staff session'),
      delegate_id: personal({
        export: 'signIns[]',
        erasure: 'every session of the person is deleted when the account is closed',
        retention: 'SPENT_RECORD_DAYS',
      }),
      staff_id: personal({
        export: null,
        notExported: 'a member of staff’s session, not a delegate’s',
        erasure: 'not a delegate’s: untouched',
        retention: 'SPENT_RECORD_DAYS',
      }),
      stage: no('how far a staff sign-in has got'),
      created_at: personal({
        export: 'signIns[].startedAt',
        erasure: 'deleted with the session',
        retention: 'SPENT_RECORD_DAYS',
      }),
      last_seen_at: personal({
        export: 'signIns[].lastSeenAt',
        erasure: 'deleted with the session',
        retention: 'SPENT_RECORD_DAYS',
      }),
      expires_at: personal({
        export: 'signIns[].expiresAt',
        erasure: 'deleted with the session',
        retention: 'SPENT_RECORD_DAYS',
      }),
      revoked_at: personal({
        export: 'signIns[].endedAt',
        erasure: 'deleted with the session',
        retention: 'SPENT_RECORD_DAYS',
      }),
    },
  },
  private_links: {
    about: 'links emailed to act without signing in (stored hashed)',
    columns: {
      id: ID,
      token_hash: no('a hash of the link’s secret: never shown, not even to its owner'),
      purpose: personal({
        export: 'links[].purpose',
        erasure: 'deleted with the link',
        retention: 'SPENT_RECORD_DAYS',
      }),
      delegate_id: personal({
        export: 'links[]',
        erasure: 'the person’s links are deleted when the account is closed',
        retention: 'SPENT_RECORD_DAYS',
      }),
      follow_up_request_id: personal({
        export: 'links[]',
        erasure: 'deleted when the booking is anonymised',
        retention: 'SPENT_RECORD_DAYS',
      }),
      charge_id: personal({
        export: 'links[]',
        erasure: 'deleted when the booking is anonymised',
        retention: 'SPENT_RECORD_DAYS',
      }),
      booking_id: personal({
        export: 'links[]',
        erasure: 'deleted when the booking is anonymised',
        retention: 'SPENT_RECORD_DAYS',
      }),
      email: personal({
        export: 'links[].sentTo',
        erasure: 'deleted with the link',
        retention: 'SPENT_RECORD_DAYS',
      }),
      browser_hash: no('a hash of a browser’s random secret'),
      return_path: no('a page of this site to go back to'),
      created_at: personal({
        export: 'links[].sentAt',
        erasure: 'deleted with the link',
        retention: 'SPENT_RECORD_DAYS',
      }),
      expires_at: personal({
        export: 'links[].expiresAt',
        erasure: 'deleted with the link',
        retention: 'SPENT_RECORD_DAYS',
      }),
      used_at: personal({
        export: 'links[].usedAt',
        erasure: 'deleted with the link',
        retention: 'SPENT_RECORD_DAYS',
      }),
    },
  },
  audit_log: {
    about: 'what was done, by whom and when; details never hold a name or an email address',
    columns: {
      id: ID,
      at: personal({
        export: 'auditEntries[].at',
        erasure: 'kept: the entries name no one, and the erasure itself is recorded here',
        retention: 'auditLogYears',
      }),
      actor_type: personal({
        export: 'auditEntries[].by',
        erasure: 'kept',
        retention: 'auditLogYears',
      }),
      actor_id: personal({
        export: 'auditEntries[].by',
        erasure: 'kept: a delegate’s id names no one once the row is erased',
        retention: 'auditLogYears',
      }),
      action: personal({
        export: 'auditEntries[].action',
        erasure: 'kept',
        retention: 'auditLogYears',
      }),
      entity_type: personal({
        export: 'auditEntries[].about',
        erasure: 'kept',
        retention: 'auditLogYears',
      }),
      entity_id: personal({
        export: 'auditEntries[].about',
        erasure: 'kept',
        retention: 'auditLogYears',
      }),
      details: personal({
        export: 'auditEntries[].details',
        erasure:
          'kept: ids and values, never a name or email address; the reasons staff typed into a booking’s entries are taken out when the booking is anonymised',
        retention: 'auditLogYears',
      }),
    },
  },
  outbox_messages: {
    about: 'emails waiting to be sent, and the record of those sent',
    columns: {
      id: ID,
      created_at: personal({
        export: 'emails[].writtenAt',
        erasure: 'deleted with the email',
        retention: 'sentEmailRecordMonths',
      }),
      to_address: personal({
        export: 'emails[].to',
        erasure: 'every email to the person’s addresses, and every email about their bookings, is deleted',
        retention: 'sentEmailRecordMonths',
      }),
      to_name: personal({
        export: 'emails[].toName',
        erasure: 'deleted with the email',
        retention: 'sentEmailRecordMonths',
      }),
      subject: personal({
        export: 'emails[].subject',
        erasure: 'deleted with the email',
        retention: 'sentEmailRecordMonths',
      }),
      text_body: personal({
        export: 'emails[].text',
        erasure: 'deleted with the email',
        retention: 'sentEmailBodyDays',
      }),
      html_body: personal({
        export: null,
        notExported: 'the same words as the text body, which is exported',
        erasure: 'deleted with the email',
        retention: 'sentEmailBodyDays',
      }),
      attachments: personal({
        export: 'emails[].attachments',
        erasure: 'deleted with the email',
        retention: 'sentEmailBodyDays',
      }),
      kind: personal({ export: 'emails[].kind', erasure: 'deleted with the email', retention: 'sentEmailRecordMonths' }),
      booking_id: personal({
        export: 'emails[].bookingReference',
        erasure: 'deleted with the email',
        retention: 'sentEmailRecordMonths',
      }),
      attempts: no('how many times sending was tried'),
      next_attempt_at: no('when sending is tried next'),
      lease_until: no('a sender’s claim on the message'),
      last_error: no('why sending failed, with addresses removed'),
      sent_at: personal({
        export: 'emails[].sentAt',
        erasure: 'deleted with the email',
        retention: 'sentEmailRecordMonths',
      }),
    },
  },
  bookings: {
    about: 'places booked, waited for and cancelled',
    columns: {
      id: ID,
      reference: personal({
        export: 'bookings[].reference',
        erasure: 'kept on the anonymised booking, which no longer leads to the person',
        retention: 'withItsRow',
      }),
      session_id: personal({
        export: 'bookings[].session',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      delegate_id: personal({
        export: 'bookings[]',
        erasure: 'the booking is handed to a new anonymous holder, never linked back to the person',
        retention: 'bookingDetailsYears',
      }),
      state: personal({ export: 'bookings[].state', erasure: 'kept, for reports', retention: 'withItsRow' }),
      offer_expires_at: personal({
        export: 'bookings[].offerExpiresAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      cancelled_at: personal({
        export: 'bookings[].cancelledAt',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      cancellation_reason: personal({
        export: 'bookings[].cancellationReason',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      cancelled_by: personal({
        export: 'bookings[].cancelledBy',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      access_needs: personal({
        export: 'bookings[].accessNeeds',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      dietary_needs: personal({
        export: 'bookings[].dietaryNeeds',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      needs_consent_at: personal({
        export: 'bookings[].needsConsentAt',
        erasure: 'kept as a date',
        retention: 'withItsRow',
      }),
      offered_at: personal({ export: 'bookings[].offeredAt', erasure: 'kept', retention: 'withItsRow' }),
      reminder_sent_at: personal({
        export: 'bookings[].reminderSentAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      feedback_invited_at: personal({
        export: 'bookings[].feedbackInvitedAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      morning_reminder_sent_at: personal({
        export: 'bookings[].morningReminderSentAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      price_pence: personal({ export: 'bookings[].price', erasure: 'kept, for finance', retention: 'withItsRow' }),
      organisation_id: personal({
        export: 'bookings[].organisation',
        erasure: 'kept, for reports and finance',
        retention: 'withItsRow',
      }),
      created_at: personal({ export: 'bookings[].bookedAt', erasure: 'kept', retention: 'withItsRow' }),
      updated_at: personal({ export: 'bookings[].updatedAt', erasure: 'kept', retention: 'withItsRow' }),
    },
  },
  change_counters: {
    about: 'counters that say when public pages may have changed',
    columns: { name: no('a counter’s name'), value: no('a number') },
  },
  staff_users: {
    about: 'the hub’s staff accounts',
    columns: {
      id: ID,
      name: personal({
        export: null,
        notExported: 'a member of staff’s, not the delegate’s: the export says only that staff made an audited change',
        erasure: 'not a delegate’s: untouched',
        retention: 'staffAccount',
      }),
      email: personal({
        export: null,
        notExported: 'a member of staff’s address, never in a delegate’s export',
        erasure: 'not a delegate’s: untouched',
        retention: 'staffAccount',
      }),
      role: no('what a member of staff may do'),
      trainer_id: LINK,
      password_hash: no('a one-way hash of a staff password'),
      totp_secret: no('a staff member’s second-factor secret'),
      totp_enrolled_at: no('when a second factor was set up'),
      totp_last_step: no('the last code accepted'),
      disabled_at: no('when a staff account was disabled'),
      password_change_required_at: no('whether a one-time password is in use'),
      created_at: WHEN_ROW,
      updated_at: WHEN_ROW,
    },
  },
  staff_recovery_codes: {
    about: 'staff recovery codes, hashed',
    columns: {
      id: ID,
      staff_id: LINK,
      code_hash: no('a hash of a one-time code'),
      created_at: WHEN_ROW,
      used_at: WHEN_ROW,
    },
  },
  attendance: {
    about: 'whether a delegate was there, part by part',
    columns: {
      id: ID,
      booking_id: personal({
        export: 'bookings[].attendance[]',
        erasure: 'kept with the anonymised booking, for reports',
        retention: 'withItsRow',
      }),
      session_part_id: personal({
        export: 'bookings[].attendance[].part',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      status: personal({
        export: 'bookings[].attendance[].status',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      note: personal({
        export: 'bookings[].attendance[].note',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      marked_by_staff_id: personal({
        export: null,
        notExported: 'which member of staff marked it is about them, not the delegate',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      marked_at: personal({
        export: 'bookings[].attendance[].markedAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
    },
  },
  job_runs: {
    about: 'scheduled jobs’ last runs',
    columns: {
      job: no('a job’s name'),
      due_at: no('when it was due'),
      outcome: no('how it went'),
      started_at: no('when it started'),
      finished_at: no('when it finished'),
      result: no('counts of what it did'),
      last_error: no('why it failed, with email addresses removed'),
      last_error_at: no('when it failed'),
      retry_at: no('when it may run again'),
    },
  },
  certificates: {
    about: 'certificates of attendance',
    columns: {
      id: ID,
      number: personal({
        export: 'bookings[].certificates[].number',
        erasure:
          'kept: the verification page then says it was issued for the course and dates but the holder’s name is no longer held',
        retention: 'withItsRow',
      }),
      booking_id: personal({
        export: 'bookings[].certificates[]',
        erasure: 'kept with the anonymised booking',
        retention: 'withItsRow',
      }),
      delegate_name: personal({
        export: 'bookings[].certificates[].name',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      course_title: personal({
        export: 'bookings[].certificates[].course',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      attended_from: personal({
        export: 'bookings[].certificates[].attendedFrom',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      facts: personal({
        export: 'bookings[].certificates[].facts',
        erasure: 'kept: the course’s hours, dates and hub, nothing naming the person',
        retention: 'withItsRow',
      }),
      issued_at: personal({
        export: 'bookings[].certificates[].issuedAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      withdrawn_at: personal({
        export: 'bookings[].certificates[].withdrawnAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      released_at: personal({
        export: 'bookings[].certificates[].releasedAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
    },
  },
  course_prices: {
    about: 'what a place costs by organisation type',
    columns: { course_id: LINK, organisation_type: no('a type of organisation'), amount_pence: MONEY },
  },
  session_prices: {
    about: 'a session’s own prices',
    columns: { session_id: LINK, organisation_type: no('a type of organisation'), amount_pence: MONEY },
  },
  charges: {
    about: 'what an organisation may pay for a place or a fee',
    columns: {
      id: ID,
      booking_id: personal({
        export: 'bookings[].charges[]',
        erasure: 'kept with the anonymised booking, for finance',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      organisation_id: personal({
        export: 'bookings[].charges[].organisation',
        erasure: 'kept, for finance',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      kind: personal({ export: 'bookings[].charges[].kind', erasure: 'kept', retention: 'FINANCIAL_RECORD_YEARS' }),
      state: personal({
        export: 'bookings[].charges[].state',
        erasure: 'kept',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      proposed_pence: personal({
        export: 'bookings[].charges[].proposed',
        erasure: 'kept',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      amount_pence: personal({
        export: 'bookings[].charges[].amount',
        erasure: 'kept',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      created_at: personal({
        export: 'bookings[].charges[].proposedAt',
        erasure: 'kept',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      delegate_reason: personal({
        export: 'bookings[].charges[].yourReason',
        erasure: 'kept: one of a fixed list of reasons, naming no one',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      delegate_note: personal({
        export: 'bookings[].charges[].whatYouToldUs',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      delegate_answered_at: personal({
        export: 'bookings[].charges[].answeredAt',
        erasure: 'kept',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      decided_at: personal({
        export: 'bookings[].charges[].decidedAt',
        erasure: 'kept',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      decided_by_staff_id: no('which member of staff decided: about them, not the delegate'),
      waiver_reason: personal({
        export: 'bookings[].charges[].waiverReason',
        erasure: 'kept: one of a fixed list of reasons',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      decision_note: personal({
        export: 'bookings[].charges[].decisionNote',
        erasure: 'kept with the financial record: staff’s words about the decision',
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      invoice_id: LINK,
    },
  },
  invoices: {
    about: 'invoices and credit notes, to organisations',
    columns: {
      id: ID,
      kind: no('invoice or credit note'),
      state: no('draft, issued, paid or void'),
      organisation_id: LINK,
      booking_id: LINK,
      credits_invoice_id: LINK,
      number: no('the invoice’s number'),
      financial_year: no('a year'),
      sequence: no('a number in a sequence'),
      customer_name: no('the organisation invoiced'),
      billing_contact: no('the organisation’s billing contact, copied from the organisation when issued'),
      billing_email: no('the organisation’s billing address, copied from the organisation when issued'),
      billing_address: no('the organisation’s postal address'),
      purchase_order: no('the organisation’s reference'),
      vat_rate_basis_points: MONEY,
      net_pence: MONEY,
      vat_pence: MONEY,
      gross_pence: MONEY,
      reason: no('why a credit note was issued, in staff’s words about the invoice'),
      created_at: WHEN_ROW,
      created_by_staff_id: LINK,
      issued_at: WHEN_ROW,
      issued_by_staff_id: LINK,
      issued_on: WHEN_ROW,
      due_on: WHEN_ROW,
      paid_on: WHEN_ROW,
      paid_reference: no('the organisation’s payment reference'),
      voided_at: WHEN_ROW,
      issuer: no('the hub as the invoice prints it'),
      paid_at: WHEN_ROW,
    },
  },
  invoice_sequences: {
    about: 'the last invoice number used each year',
    columns: { kind: no('invoice or credit note'), financial_year: no('a year'), last_sequence: no('a number') },
  },
  invoice_lines: {
    about: 'the lines of invoices and credit notes, one per delegate and session',
    columns: {
      id: ID,
      invoice_id: LINK,
      position: POSITION,
      charge_id: LINK,
      credits_line_id: LINK,
      description: no('the course and session the line is for'),
      delegate_name: personal({
        export: 'bookings[].charges[].invoicedAs',
        erasure: 'kept: the customer’s invoice names who the place was for',
        keptOnErasure: `a financial record, kept for FINANCIAL_RECORD_YEARS years after its financial year as UK tax law requires`,
        retention: 'FINANCIAL_RECORD_YEARS',
      }),
      session_date: no('the date of the session invoiced'),
      net_pence: MONEY,
      vat_pence: MONEY,
      gross_pence: MONEY,
      credited_pence: MONEY,
    },
  },
  feedback_responses: {
    about: 'a delegate’s feedback on a course, one per booking',
    columns: {
      id: ID,
      booking_id: personal({
        export: 'bookings[].feedback',
        erasure: 'kept with the anonymised booking, for reports',
        retention: 'withItsRow',
      }),
      usefulness: personal({
        export: 'bookings[].feedback.usefulness',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      do_differently: personal({
        export: 'bookings[].feedback.doDifferently',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      hub_should_change: personal({
        export: 'bookings[].feedback.hubShouldChange',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      quote: personal({
        export: 'bookings[].feedback.quote',
        erasure: `${BOOKING_ANONYMISED}, and taken off the course page`,
        retention: 'bookingDetailsYears',
      }),
      quote_consent: personal({
        export: 'bookings[].feedback.quoteConsent',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      submitted_at: personal({
        export: 'bookings[].feedback.submittedAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      updated_at: personal({
        export: 'bookings[].feedback.updatedAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      quote_withdrawn_at: personal({
        export: 'bookings[].feedback.quoteWithdrawnAt',
        erasure: 'set when the quote is cleared',
        retention: 'withItsRow',
      }),
    },
  },
  quote_publications: {
    about: 'quotes shown on course pages',
    columns: {
      id: ID,
      response_id: personal({
        export: 'bookings[].feedback.quotePublishedAt',
        erasure: 'deleted: the quote is taken off the course page',
        retention: 'bookingDetailsYears',
      }),
      published_at: personal({
        export: 'bookings[].feedback.quotePublishedAt',
        erasure: 'deleted',
        retention: 'bookingDetailsYears',
      }),
      published_by_staff_id: no('which member of staff published it: about them'),
    },
  },
  feedback_outcome_answers: {
    about: 'confidence before and after, per learning outcome',
    columns: {
      response_id: personal({
        export: 'bookings[].feedback.outcomes[]',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      learning_outcome_id: LINK,
      outcome_text: personal({
        export: 'bookings[].feedback.outcomes[].outcome',
        erasure: 'kept: the course’s words',
        retention: 'withItsRow',
      }),
      confidence_before: personal({
        export: 'bookings[].feedback.outcomes[].before',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      confidence_after: personal({
        export: 'bookings[].feedback.outcomes[].after',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
    },
  },
  follow_up_requests: {
    about: 'the three-month follow-up to a delegate and their line manager',
    columns: {
      id: ID,
      booking_id: personal({
        export: 'bookings[].followUps[]',
        erasure: 'kept with the anonymised booking',
        retention: 'withItsRow',
      }),
      respondent: personal({
        export: 'bookings[].followUps[].respondent',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      email: personal({
        export: 'bookings[].followUps[].sentTo',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      sent_at: personal({
        export: 'bookings[].followUps[].sentAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      expires_at: personal({
        export: 'bookings[].followUps[].expiresAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      reminded_at: personal({
        export: 'bookings[].followUps[].remindedAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      answered_at: personal({
        export: 'bookings[].followUps[].answeredAt',
        erasure: 'kept',
        retention: 'withItsRow',
      }),
      outcome: personal({
        export: 'bookings[].followUps[].outcome',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      example: personal({
        export: 'bookings[].followUps[].example',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
      obstacles: personal({
        export: 'bookings[].followUps[].obstacles',
        erasure: BOOKING_ANONYMISED,
        retention: 'bookingDetailsYears',
      }),
    },
  },
  follow_up_answers: {
    about: 'whether practice changed, per key area',
    columns: {
      request_id: personal({
        export: 'bookings[].followUps[].answers[]',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
      key_area_id: LINK,
      key_area_text: personal({
        export: 'bookings[].followUps[].answers[].keyArea',
        erasure: 'kept: the course’s words',
        retention: 'withItsRow',
      }),
      practice_change: personal({
        export: 'bookings[].followUps[].answers[].practiceChange',
        erasure: 'kept, for reports',
        retention: 'withItsRow',
      }),
    },
  },
  follow_up_opt_outs: {
    about: 'addresses (line managers’) that asked never to be sent a follow-up',
    columns: {
      email: personal({
        export: null,
        notExported: 'a line manager’s choice, about their address, not the delegate’s data',
        erasure:
          'kept: a line manager’s own request not to be written to, which must outlive any delegate’s erasure',
        keptOnErasure:
          'a line manager asked never to be sent a follow-up again; if the erased delegate’s address is here it is their own opt-out, kept so it is honoured',
        retention: 'withItsRow',
      }),
      opted_out_at: personal({ export: null, notExported: 'as above', erasure: 'kept', retention: 'withItsRow' }),
    },
  },
};

/** The map's entry for a column, or undefined when it has none (the map test fails then). */
export function mapEntry(table: string, column: string): ColumnEntry | 'internal' | undefined {
  if (table in INTERNAL_TABLES || INTERNAL_TABLE_PREFIXES.some((p) => table.startsWith(p))) return 'internal';
  return PERSONAL_DATA_MAP[table]?.columns[column];
}

/** Every personal column the export shows, as `table.column` → its export path. */
export function exportedColumns(): { table: string; column: string; path: string }[] {
  return Object.entries(PERSONAL_DATA_MAP).flatMap(([table, entry]) =>
    Object.entries(entry.columns).flatMap(([column, c]) =>
      c.personal && c.export ? [{ table, column, path: c.export }] : [],
    ),
  );
}
