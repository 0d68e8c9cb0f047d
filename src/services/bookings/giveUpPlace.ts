/**
 * "I can't come": the private link in the confirmation and reminder emails
 * (issued by services/email/notifications.ts with each email, purpose
 * `give_up_place`, about one booking) that gives a place up without signing in.
 *
 * It keeps the private-link rules (services/accounts/privateLinks.ts):
 * opening it (a GET, which mail scanners make) only shows the booking and
 * asks; only the POST cancels, exactly as the delegate cancelling it
 * themselves does (BookingService.cancelByLink: the place is offered to the
 * waiting list at once; after the cut-off a charge may be proposed), and uses
 * the link in that transaction. The link works until the booking's current
 * session starts (a moved booking: its new session's), then explains itself.
 * An unknown token, or one sent to an address the booking's holder no longer
 * has (someone else's: a place passed to a colleague, an account closed), is
 * the ordinary 404.
 *
 * After a late cancellation that proposed a charge, the same page (while the
 * link's life lasts) carries the "tell us why" form of
 * services/charges/delegateCharges.ts, recorded on that charge.
 */
import { BookingRecords } from '../../data/repositories/bookings/bookingRecords.js';
import { canSelfCancel, selfCancellationDeadline } from '../../domain/hub/policy.js';
import { amountWords } from '../../domain/charges/invoiceNumbers.js';
import { formatDeadline, formatMoment } from '../../domain/time/time.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { PrivateLinks } from '../accounts/privateLinks.js';
import type { CatalogueService } from '../programme/catalogueService.js';
import type { DelegateChargeService } from '../charges/delegateCharges.js';
import type { PriceService } from '../charges/priceService.js';
import type { ServiceDeps } from '../deps.js';

/**
 * What the link's page says: it asks (`open`); the place was given up
 * (`given_up`, by this link or by the delegate another way); it was cancelled
 * by the hub, by an offer running out or with its session (`cancelled`); or
 * the session has started (`started`).
 */
export type GiveUpState = 'open' | 'given_up' | 'cancelled' | 'started';

type Facts = NonNullable<Awaited<ReturnType<BookingRecords['giveUpFacts']>>>;

export class GiveUpPlaceService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly catalogue: CatalogueService,
    private readonly prices: PriceService,
    private readonly delegateCharges: DelegateChargeService,
  ) {}

  private get links() {
    return new PrivateLinks(this.deps.db, this.deps.clock);
  }

  /** The link's booking, or the ordinary 404 for a forged token or someone else's. Changes nothing. */
  private async byLink(token: string) {
    const { link } = await this.links.check(token, 'give_up_place');
    if (!link || link.booking_id === null) throw new NotFoundError('page');
    const booking = await new BookingRecords(this.deps.db).giveUpFacts(link.booking_id);
    if (!booking || booking.delegate_email.toLowerCase() !== link.email.toLowerCase()) {
      throw new NotFoundError('page');
    }
    return { link, booking };
  }

  private state(booking: Facts, now: Date): GiveUpState {
    if (booking.state === 'cancelled') return booking.cancelled_by === 'delegate' ? 'given_up' : 'cancelled';
    if (booking.session_cancelled_at) return 'cancelled';
    if (now >= new Date(booking.starts_at)) return 'started';
    if (['confirmed', 'waitlisted', 'offered'].includes(booking.state)) return 'open';
    // Attended or not attended: the session has happened.
    return 'started';
  }

  /** The page the link opens. Changes nothing. */
  async page(token: string) {
    const { link, booking } = await this.byLink(token);
    const now = this.deps.clock.now();
    const state = this.state(booking, now);
    const session = await this.catalogue.session(booking.session_id);
    const ctx = await this.deps.context();
    const startsAt = new Date(booking.starts_at);
    const confirmed = booking.state === 'confirmed';
    const late = confirmed && !canSelfCancel(startsAt, now, ctx.policy);
    const deadline =
      ctx.policy.cancellationWorkingDays > 0 ? selfCancellationDeadline(startsAt, ctx.policy) : null;
    // What giving it up now would mean for money, said before the button.
    let money: { lateCharge: string | null; paidPlace: boolean; termsApply: boolean } | null = null;
    if (state === 'open' && confirmed) {
      const price = await this.prices.ofBooking(
        {
          price_pence: Number(booking.price_pence),
          delegate_id: booking.delegate_id,
          session_id: booking.session_id,
        },
        session.parts,
      );

      const charge = late ? await this.deps.bookings.lateCancellationCharge(booking) : null;
      money = {
        lateCharge: charge ? amountWords(charge.amount, ctx.charges.vatRateBasisPoints) : null,
        paidPlace: charge?.paidPlace ?? false,
        // Whether the hub says anything about money to this delegate at all (domain/charges/terms.ts).
        termsApply: price.pence > 0 || price.terms.length > 0,
      };
    }

    // After giving it up late: the charge proposed, and the form to tell the hub why while the link lasts.
    let why: Awaited<ReturnType<DelegateChargeService['pageForBooking']>> | null = null;
    let chargeProposed = false;
    if (state === 'given_up') {
      const charge = (await this.delegateCharges.forBookings([booking.id])).get(booking.id);
      if (charge?.late) {
        chargeProposed = true;
        if (now < startsAt) why = await this.delegateCharges.pageForBooking(booking.delegate_id, booking.id);
      }
    }

    return {
      state,
      bookingState: booking.state,
      reference: booking.reference,
      session,
      startsText: formatMoment(startsAt),
      late,
      deadlineText: deadline ? formatDeadline(deadline) : null,
      money,
      givenUpAt:
        state === 'given_up'
          ? formatMoment(new Date(link.used_at ?? booking.cancelled_at ?? now.toISOString()))
          : null,
      byThisLink: link.used_at !== null,
      cancelledAt: booking.cancelled_at ? formatMoment(new Date(booking.cancelled_at)) : null,
      cancelledBy: booking.cancelled_by,
      cancellationReason: booking.cancellation_reason,
      sessionCancelled: booking.session_cancelled_at !== null,
      chargeProposed,
      why,
    };
  }

  /**
   * Gives the place up (the page's button, a POST). Anything but an open
   * booking changes nothing: the page then says why.
   */
  async giveUp(token: string): Promise<void> {
    const { link, booking } = await this.byLink(token);
    if (this.state(booking, this.deps.clock.now()) !== 'open') return;
    try {
      await this.deps.bookings.cancelByLink(booking.id, (db) => this.links.within(db).use(link.id));
    } catch (error) {
      // Changed meanwhile (another press, the session started): the page says what it is now.
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /**
   * "Tell us why" from the link's page, after giving the place up late:
   * recorded on that charge as from /charges/why/:token, until the session starts.
   */
  async answerWhy(token: string, body: Record<string, unknown>): Promise<void> {
    const { booking } = await this.byLink(token);
    const now = this.deps.clock.now();
    if (this.state(booking, now) !== 'given_up' || now >= new Date(booking.starts_at)) return;
    await this.delegateCharges.answerForBooking(booking.delegate_id, booking.id, body);
  }
}
