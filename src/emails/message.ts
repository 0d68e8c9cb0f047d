/**
 * What every email Trellis sends is made of, and the facts the messages share.
 * A message function (one file per message in this folder) turns typed facts
 * into an `EmailMessage`; the booking and account services put it in the
 * outbox in the same transaction as the change it tells of.
 */
import type { HubSettings } from '../domain/hub/hub.js';

/** A file sent with an email, stored in the outbox as text. */
export interface EmailAttachment {
  filename: string;
  /** e.g. "text/calendar; charset=utf-8; method=PUBLISH". */
  contentType: string;
  /** The file itself: text, or base64 when `encoding` says so. */
  content: string;
  encoding?: 'base64';
}

/** Which message an email is, for staff, logs and tests. */
export type EmailKind =
  | 'booking_confirmed'
  | 'waitlist_joined'
  | 'place_offered'
  | 'offer_expired'
  | 'booking_cancelled'
  | 'booking_moved'
  | 'place_passed'
  | 'session_reminder'
  | 'online_morning_reminder'
  | 'verify_email'
  | 'password_reset'
  | 'session_changed'
  | 'session_cancelled'
  | 'details_changed'
  | 'email_change_requested'
  | 'email_in_use'
  | 'certificate_ready'
  | 'feedback_invitation'
  | 'follow_up_request'
  | 'follow_up_reminder'
  | 'invoice_issued'
  | 'credit_note_issued'
  | 'charge_proposed'
  | 'charge_decided'
  | 'charge_line_manager'
  | 'account_closed_on_request'
  | 'line_manager_booked'
  | 'line_manager_cancelled'
  | 'line_manager_not_attended'
  | 'account_closing';

/** An email written and ready for the outbox: who it goes to is said there. */
export interface EmailMessage {
  kind: EmailKind;
  subject: string;
  /** The plain-text version. */
  text: string;
  /** The HTML version (a whole document). */
  html: string;
  attachments?: EmailAttachment[];
}

/** The hub, as every email names it and says how to reach it. */
export type HubFacts = Pick<HubSettings, 'name' | 'contactEmail' | 'contactPhone'>;

/** Where an in-person session happens. */
export interface VenueFacts {
  name: string;
  addressLines: string[];
  town: string;
  postcode: string | null;
  phone?: string | null;
  /** Getting there, parking, refreshments: plain text or simple Markdown, shown as paragraphs. */
  travelNotes?: string;
}

/** One dated run of a course, as emails describe it. */
export interface SessionFacts {
  courseTitle: string;
  /** Each part's start and end; most sessions have one part. */
  parts: { startsAt: Date; endsAt: Date }[];
  /** Null for an online session. */
  venue: VenueFacts | null;
  /**
   * The online joining link, given only in messages to confirmed delegates
   * (confirmation, reminder). Omit it everywhere else.
   */
  onlineJoiningUrl?: string | null;
  /** Absolute link to the session's page. */
  sessionUrl: string;
}

/**
 * The access and dietary needs a delegate gave for a booking, as held now,
 * and when the hub's policy deletes them ("30 days after the session ends").
 */
export interface NeedsFacts {
  access: string | null;
  dietary: string | null;
  deleted: string;
}

/** What a place costs and the charging terms that come with it (none to say: no section). */
export interface PriceFacts {
  /** "Your place costs £120.00 (Acme Care Ltd, a private organisation)." */
  text: string;
  /** The charging terms, a paragraph each (domain/charges/terms.ts). */
  terms: string[];
}
