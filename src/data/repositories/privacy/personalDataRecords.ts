/**
 * PersonalDataRecords: the one way personal data leaves Trellis's records,
 * used by the retention job, closing an account and erasing a person
 * (services/privacy/), and the one place activity that keeps an account open
 * is written (a sign-in, a booking). Every method runs in the caller's
 * transaction, so what it removes goes with the change that removes it.
 *
 * Anonymising never changes a report's figures: a booking keeps its session,
 * state, organisation, price, attendance marks, feedback scores and charges,
 * and is handed to a new anonymous holder (a `delegates` row with no name,
 * no address and `anonymised_at` set) that keeps the person's organisation
 * and job role, which reports group by. The holder is never linked back to
 * the person. Financial records (invoice lines, which name the delegate for
 * the customer) are left alone here: they follow their own statutory period
 * (domain/hub/retention.ts, FINANCIAL_RECORD_YEARS).
 */
import { randomBytes } from 'node:crypto';

import type { Executor } from '../../schema.js';

/**
 * An address no mail can reach (`.invalid` is reserved for this, RFC 2606),
 * unique for the unique index on `delegates.email`, saying nothing of who.
 */
export function unreachableAddress(): string {
  return `${randomBytes(12).toString('base64url').toLowerCase()}@anonymised.invalid`;
}

/** Whether an address is one `unreachableAddress` made: never sent to. */
export function isUnreachableAddress(email: string): boolean {
  return email.toLowerCase().endsWith('.invalid');
}

export class PersonalDataRecords {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): PersonalDataRecords {
    return new PersonalDataRecords(trx);
  }

  /** A sign-in or a booking (of one delegate or several): the account is in use, so any warning that it would be closed no longer holds. */
  async markActive(delegateIds: number | number[], now: Date): Promise<void> {
    const ids = Array.isArray(delegateIds) ? delegateIds : [delegateIds];
    if (!ids.length) return;
    await this.db
      .updateTable('delegates')
      .set({ last_active_at: now.toISOString(), closure_warned_at: null })
      .where('id', 'in', ids)
      .execute();
  }

  /**
   * Closes an account: no sign-in (sessions and emailed links ended, password
   * gone) and no contact details (email address, line manager). The name,
   * organisation and job role stay with the bookings as the hub's training
   * record until those are anonymised after their period. Emails already
   * written to the outbox are still sent (a closing account is told so).
   * False when it was already closed.
   */
  async closeAccount(delegateId: number, now: Date): Promise<boolean> {
    const delegate = await this.db
      .selectFrom('delegates')
      .select(['email', 'pending_email'])
      .where('id', '=', delegateId)
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    if (!delegate) return false;
    await this.db.deleteFrom('sign_in_sessions').where('delegate_id', '=', delegateId).execute();
    const addresses = [delegate.email, delegate.pending_email].filter((a): a is string => !!a);
    await this.db
      .deleteFrom('private_links')
      .where((eb) => eb.or([eb('delegate_id', '=', delegateId), eb('email', 'in', addresses)]))
      .execute();
    const closed = await this.db
      .updateTable('delegates')
      .set({
        email: unreachableAddress(),
        pending_email: null,
        password_hash: null,
        line_manager_name: '',
        line_manager_email: '',
        closed_at: now.toISOString(),
        closure_warned_at: null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', delegateId)
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    return Number(closed.numUpdatedRows) === 1;
  }

  /**
   * Anonymises bookings: what they say about a person is cleared (needs,
   * notes, free text, the name on a certificate, the addresses a follow-up
   * went to, the emails and links about them, the reasons staff typed into
   * their audit entries) and each delegate's bookings
   * are handed to a new anonymous holder with that delegate's organisation
   * and job role. Bookings already held anonymously are only cleared again.
   * Returns how many bookings changed holder.
   */
  async anonymiseBookings(bookingIds: readonly number[], now: Date): Promise<number> {
    if (!bookingIds.length) return 0;
    const at = now.toISOString();
    let moved = 0;
    for (let i = 0; i < bookingIds.length; i += 500) {
      const ids = bookingIds.slice(i, i + 500);
      const holders = await this.db
        .selectFrom('bookings')
        .innerJoin('delegates', 'delegates.id', 'bookings.delegate_id')
        .where('bookings.id', 'in', ids)
        .where('delegates.anonymised_at', 'is', null)
        .select([
          'bookings.id as booking_id',
          'delegates.id as delegate_id',
          'delegates.organisation_id',
          'delegates.job_role',
        ])
        .execute();
      const byDelegate = new Map<number, { organisationId: number | null; jobRole: string; bookings: number[] }>();
      for (const row of holders) {
        const entry = byDelegate.get(row.delegate_id) ?? {
          organisationId: row.organisation_id,
          jobRole: row.job_role,
          bookings: [],
        };
        entry.bookings.push(row.booking_id);
        byDelegate.set(row.delegate_id, entry);
      }
      for (const entry of byDelegate.values()) {
        const holder = await this.db
          .insertInto('delegates')
          .values({
            name: '',
            email: unreachableAddress(),
            organisation_id: entry.organisationId,
            job_role: entry.jobRole,
            line_manager_name: '',
            line_manager_email: '',
            password_hash: null,
            email_verified_at: null,
            pending_email: null,
            merged_into_id: null,
            created_at: at,
            updated_at: at,
            closed_at: at,
            anonymised_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await this.db
          .updateTable('bookings')
          .set({ delegate_id: holder.id })
          .where('id', 'in', entry.bookings)
          .execute();
        moved += entry.bookings.length;
      }
      await this.clearBookings(ids, at);
    }
    return moved;
  }

  /** What a booking says about its person, cleared; what reports count, kept. */
  private async clearBookings(ids: number[], at: string): Promise<void> {
    await this.db
      .updateTable('bookings')
      .set({ access_needs: null, dietary_needs: null, cancellation_reason: null, updated_at: at })
      .where('id', 'in', ids)
      .execute();
    await this.db.updateTable('attendance').set({ note: '' }).where('booking_id', 'in', ids).execute();
    await this.db.updateTable('certificates').set({ delegate_name: '' }).where('booking_id', 'in', ids).execute();
    const responses = this.db.selectFrom('feedback_responses').select('id').where('booking_id', 'in', ids);
    await this.db.deleteFrom('quote_publications').where('response_id', 'in', responses).execute();
    await this.db
      .updateTable('feedback_responses')
      .set((eb) => ({
        do_differently: '',
        hub_should_change: '',
        quote: '',
        quote_withdrawn_at: eb.fn.coalesce('quote_withdrawn_at', eb.val(at)),
      }))
      .where('booking_id', 'in', ids)
      .execute();
    const requests = this.db.selectFrom('follow_up_requests').select('id').where('booking_id', 'in', ids);
    const charges = this.db.selectFrom('charges').select('id').where('booking_id', 'in', ids);
    await this.db
      .deleteFrom('private_links')
      .where((eb) =>
        eb.or([
          eb('booking_id', 'in', ids),
          eb('follow_up_request_id', 'in', requests),
          eb('charge_id', 'in', charges),
        ]),
      )
      .execute();
    await this.db
      .updateTable('follow_up_requests')
      .set({ email: '', example: '', obstacles: '' })
      .where('booking_id', 'in', ids)
      .execute();
    await this.db.updateTable('charges').set({ delegate_note: '' }).where('booking_id', 'in', ids).execute();
    await this.db.deleteFrom('outbox_messages').where('booking_id', 'in', ids).execute();
    await this.clearAuditReasons(ids);
  }

  /**
   * A booking's audit entries keep what was done and when, but not the
   * words staff typed as a reason (a cancellation's, which may name the
   * person): the `reason` is taken out of their details.
   */
  private async clearAuditReasons(ids: number[]): Promise<void> {
    const entries = await this.db
      .selectFrom('audit_log')
      .where('entity_type', '=', 'booking')
      .where('entity_id', 'in', ids)
      .where('details', 'like', '%"reason"%')
      .select(['id', 'details'])
      .execute();
    for (const entry of entries) {
      let details: unknown;
      try {
        details = JSON.parse(entry.details);
      } catch {
        continue;
      }
      if (!details || typeof details !== 'object' || !('reason' in details)) continue;
      const { reason: _reason, ...rest } = details as Record<string, unknown>;
      await this.db
        .updateTable('audit_log')
        .set({ details: JSON.stringify(rest) })
        .where('id', '=', entry.id)
        .execute();
    }
  }

  /**
   * Erases a person on request: every booking of theirs (and of duplicates
   * merged into them) anonymised now, the account closed, every email to
   * their address deleted, and their own rows left with no name, address or
   * role. Financial records keep what finance needs. False when there was
   * no such person, or they were already erased.
   */
  async eraseDelegate(delegateId: number, now: Date): Promise<boolean> {
    const people = await this.db
      .selectFrom('delegates')
      .select(['id', 'email', 'pending_email'])
      .where((eb) => eb.or([eb('id', '=', delegateId), eb('merged_into_id', '=', delegateId)]))
      .where('anonymised_at', 'is', null)
      .execute();
    if (!people.some((p) => p.id === delegateId)) return false;
    const ids = people.map((p) => p.id);
    const addresses = people.flatMap((p) => [p.email, p.pending_email]).filter((a): a is string => !!a);
    const bookings = await this.db.selectFrom('bookings').select('id').where('delegate_id', 'in', ids).execute();
    await this.anonymiseBookings(
      bookings.map((b) => b.id),
      now,
    );
    for (const id of ids) await this.closeAccount(id, now);
    await this.db.deleteFrom('outbox_messages').where('to_address', 'in', addresses).execute();
    await this.db
      .updateTable('delegates')
      .set({ name: '', job_role: '', organisation_id: null, anonymised_at: now.toISOString() })
      .where('id', 'in', ids)
      .execute();
    return true;
  }
}
