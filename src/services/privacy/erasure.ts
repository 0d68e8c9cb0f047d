/**
 * Closing an account (by its owner) and erasing a person (by staff, on
 * request). Both leave what a report counts and remove who it was, through
 * PersonalDataRecords (data/repositories/privacy/personalDataRecords.ts).
 *
 * - Closing: the delegate's future places are given back through the
 *   booking service's own cancellation (offered to the waiting list; after
 *   the cut-off the hub's charging policy applies as to any late
 *   cancellation), then one email saying the account is closed is written
 *   before the address is removed (so it still goes), the account is closed
 *   (signed out everywhere, no sign-in) and the closure audited.
 * - Erasing: in one transaction holding the sessions' locks, future places
 *   are cancelled for the hub (offered on; a paid place not yet invoiced is
 *   withdrawn, and no fee is proposed for an erasure), then everything about
 *   the person is erased; audited without their name or address.
 */
import { verify as argon2Verify } from '@node-rs/argon2';

import { recordAudit } from '../../data/repositories/auditRecords.js';
import { BookingRecords } from '../../data/repositories/bookings/bookingRecords.js';
import { PersonalDataRecords } from '../../data/repositories/privacy/personalDataRecords.js';
import { canSelfCancel, selfCancellationDeadline } from '../../domain/hub/policy.js';
import { FINANCIAL_RECORD_YEARS } from '../../domain/hub/retention.js';
import { formatDeadline } from '../../domain/time/time.js';
import { formatPence } from '../../domain/charges/money.js';
import { FormError, NotFoundError } from '../../errors.js';
import type { ServiceDeps } from '../deps.js';
import type { SettingsService } from '../settingsService.js';
import { ErasureRepository } from '../../data/repositories/privacy/erasureRepository.js';

const LIVE = ['confirmed', 'waitlisted', 'offered'] as const;

export class ErasureService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: SettingsService,
  ) {}

  private repository() {
    return new ErasureRepository(this.deps.db);
  }

  /** Live places and waiting-list places on sessions that have not started. */
  private async futureBookings(delegateId: number) {
    const now = this.deps.clock.now();
    const rows = await this.repository().liveBookings(delegateId, [...LIVE]);
    return rows.filter((b) => new Date(b.starts_at) > now);
  }

  /**
   * What closing the account would do, said on the page before the button:
   * each future booking (and whether giving it back now is late, with the
   * fee the hub's policy would propose), the certificates to download first,
   * whether a password is asked for, and the hub's period for the record.
   */
  async closurePreview(delegateId: number) {
    const person = await this.repository().person(delegateId);
    if (!person || person.closed_at || person.anonymised_at) throw new NotFoundError('delegate');
    const { policy } = await this.deps.context();
    const now = this.deps.clock.now();
    const future = await this.futureBookings(delegateId);
    const bookings = [];
    for (const b of future) {
      const startsAt = new Date(b.starts_at);
      const late = b.state === 'confirmed' && !canSelfCancel(startsAt, now, policy);
      const fee = late ? await this.deps.bookings.lateCancellationCharge(b) : null;
      const deadline = selfCancellationDeadline(startsAt, policy);
      bookings.push({
        reference: b.reference,
        courseTitle: b.course_title,
        startsAt: b.starts_at,
        state: b.state,
        late,
        cutOff: deadline ? formatDeadline(deadline) : null,
        fee: fee ? formatPence(fee.amount) : null,
      });
    }
    const certificates = await this.repository().downloadableCertificates(delegateId);
    return {
      hasPassword: person.password_hash !== null,
      bookings,
      certificates,
      bookingDetailsYears: (await this.settings.retention()).bookingDetailsYears,
    };
  }

  /**
   * Closes the delegate's own account. The password is checked first when
   * the account has one (FormError when wrong). Returns how many bookings
   * were given back.
   */
  async closeOwnAccount(delegateId: number, password: string): Promise<{ cancelled: number }> {
    const person = await this.repository().person(delegateId);
    if (!person || person.closed_at || person.anonymised_at) throw new NotFoundError('delegate');
    if (person.password_hash !== null) {
      const ok = password !== '' && (await argon2Verify(person.password_hash, password).catch(() => false));
      if (!ok)
        throw new FormError({ password: 'Enter your password correctly: it is the one you sign in with' });
    }
    let cancelled = 0;
    for (const booking of await this.futureBookings(delegateId)) {
      // The booking service's own cancellation: offered on, late ones as any late cancellation.
      await this.deps.bookings.cancel(delegateId, booking.reference);
      cancelled += 1;
    }
    const ctx = await this.deps.context();
    const { bookingDetailsYears } = await this.settings.retention();
    await this.deps.db.transaction().execute(async (trx) => {
      const now = this.deps.clock.now();
      const current = await new ErasureRepository(trx).person(delegateId);
      if (!current || current.closed_at) throw new NotFoundError('delegate');
      // Written while the account still has its address, so it goes.
      await this.deps.mail.accountClosedOnRequest(
        trx,
        ctx,
        { id: current.id, email: current.email, name: current.name },
        { cancelled, bookingDetailsYears },
      );
      await new PersonalDataRecords(trx).closeAccount(delegateId, now);
      await recordAudit(
        trx,
        {
          actorType: 'delegate',
          actorId: delegateId,
          action: 'account_closed',
          entityType: 'delegate',
          entityId: delegateId,
          details: { cancelledBookings: cancelled },
        },
        now,
      );
    });
    return { cancelled };
  }

  /** What erasing this person would do, for the confirmation page. */
  async erasurePreview(delegateId: number) {
    const repository = this.repository();
    const person = await repository.person(delegateId);
    if (!person || person.anonymised_at) throw new NotFoundError('delegate');
    const future = await this.futureBookings(delegateId);
    return {
      person: { id: person.id, name: person.name },
      bookingCount: await repository.bookingCount(delegateId),
      future: future.map((b) => ({
        reference: b.reference,
        courseTitle: b.course_title,
        startsAt: b.starts_at,
        state: b.state,
      })),
      invoiceLines: await repository.invoiceLinesNaming(delegateId),
      financialRecordYears: FINANCIAL_RECORD_YEARS,
    };
  }

  /**
   * Erases a person on request: their future places cancelled for the hub
   * and offered on (no fee proposed), then PersonalDataRecords.eraseDelegate,
   * in one transaction holding those sessions' locks. Audited as the staff
   * member's, with counts only.
   */
  async erase(delegateId: number, staffId: number): Promise<{ cancelled: number }> {
    const preview = await this.repository().person(delegateId);
    if (!preview || preview.anonymised_at) throw new NotFoundError('delegate');
    const future = await this.futureBookings(delegateId);
    const ctx = await this.deps.context();
    return this.deps.sessionLock.forSessions(
      future.map((b) => b.session_id),
      async (db) => {
        const now = this.deps.clock.now();
        const bookings = new BookingRecords(db);
        const sessions = new Set<number>();
        let cancelled = 0;
        for (const b of future) {
          const changed = await bookings.transition(b.id, b.state, 'cancelled', now, {
            cancelledBy: 'hub',
            cancellationReason: null,
          });
          if (!changed) continue;
          cancelled += 1;
          sessions.add(b.session_id);
          await bookings.audit(
            {
              actorType: 'staff',
              actorId: staffId,
              action: 'booking_cancelled_for_erasure',
              bookingId: b.id,
              details: { fromState: b.state },
            },
            now,
          );
          // A paid place not yet invoiced is withdrawn; nothing is proposed for an erasure.
          await this.deps.chargeProposals.bookingCancelled(
            db,
            ctx,
            b.id,
            { type: 'staff', id: staffId },
            now,
          );
        }
        for (const sessionId of sessions) await this.deps.bookings.settleOffers(db, sessionId, now, ctx);
        const erased = await new PersonalDataRecords(db).eraseDelegate(delegateId, now);
        if (!erased) throw new NotFoundError('delegate');
        await recordAudit(
          db,
          {
            actorType: 'staff',
            actorId: staffId,
            action: 'delegate_erased',
            entityType: 'delegate',
            entityId: delegateId,
            details: { cancelledBookings: cancelled },
          },
          now,
        );
        return { cancelled };
      },
    );
  }
}
