/**
 * Prices as delegates meet them: a session's prices in one sentence (the
 * public pages, cached for everyone), the price that applies to a signed-in
 * delegate with their organisation named, and the charging terms they read
 * before they book and see again on their booking (domain/charges/terms.ts).
 * What a booking costs is fixed on the booking itself when it is made
 * (BookingRecords); this service only says it.
 */
import type { Kysely } from 'kysely';

import { PriceRecords } from '../../data/repositories/charges/priceRecords.js';
import type { DB } from '../../data/schema.js';
import { feesInUse } from '../../domain/charges/chargesSettings.js';
import type { TimedPart } from '../../domain/charges/fees.js';
import { amountWords } from '../../domain/charges/invoiceNumbers.js';
import {
  anyPrice,
  ORGANISATION_TYPE_ONE,
  priceForType,
  priceSummary,
  type PriceList,
} from '../../domain/charges/prices.js';
import { chargingTerms } from '../../domain/charges/terms.js';
import type { OrganisationType } from '../../domain/programme/organisation.js';
import type { SettingsService } from '../settingsService.js';

/** A session's prices for everyone: null words when every place is free. */
export interface SessionPrices {
  list: PriceList;
  /** "Free for partner agencies…; £120.00 for private organisations", or null when free for all. */
  summary: string | null;
}

/** What a delegate pays for a place, and the terms that come with it. */
export interface DelegatePrice {
  pence: number;
  /** "£120.00" or "Free". */
  priceText: string;
  /** "Acme Care Ltd, a private organisation"; null for someone with no organisation. */
  organisationText: string | null;
  /** The charging terms, a paragraph each (none when there is nothing to say about money). */
  terms: string[];
}

export class PriceService {
  private readonly prices: PriceRecords;

  constructor(
    db: Kysely<DB>,
    private readonly settings: SettingsService,
  ) {
    this.prices = new PriceRecords(db);
  }

  async session(sessionId: number): Promise<SessionPrices> {
    const [list, { vatRateBasisPoints }] = await Promise.all([
      this.prices.sessionPriceList(sessionId),
      this.settings.charges(),
    ]);
    return { list, summary: anyPrice(list) ? priceSummary(list, vatRateBasisPoints) : null };
  }

  /**
   * The prices of a course's upcoming sessions in one sentence, when they
   * are all the same (null when they differ, or when all are free): a course
   * page says a price only when it is true of every date it lists.
   */
  async commonToSessions(sessionIds: readonly number[]): Promise<string | null> {
    const lists = [...(await this.prices.sessionPriceLists(sessionIds)).values()];
    const first = lists[0];
    if (!first || !anyPrice(first)) return null;
    const { vatRateBasisPoints } = await this.settings.charges();
    const words = priceSummary(first, vatRateBasisPoints);
    return lists.every((list) => priceSummary(list, vatRateBasisPoints) === words) ? words : null;
  }

  /** Whether a signed-in delegate needs words of their own about money on this session's page. */
  async mattersFor(sessionId: number): Promise<boolean> {
    return (
      anyPrice(await this.prices.sessionPriceList(sessionId)) || feesInUse(await this.settings.charges())
    );
  }

  /** The price a place on the session would cost this delegate now, with its terms. */
  async forDelegate(
    delegateId: number,
    session: { id: number; parts: readonly TimedPart[] },
  ): Promise<DelegatePrice> {
    const [organisation, list] = await Promise.all([
      this.prices.organisationOf(delegateId),
      this.prices.sessionPriceList(session.id),
    ]);
    return this.describe(priceForType(list, organisation?.type ?? null), organisation, list, session.parts);
  }

  /** The price fixed on a booking (what the delegate agreed to), with the terms that came with it. */
  async ofBooking(
    booking: { price_pence: number; delegate_id: number; session_id: number },
    parts: readonly TimedPart[],
  ): Promise<DelegatePrice> {
    const [organisation, list] = await Promise.all([
      this.prices.organisationOf(booking.delegate_id),
      this.prices.sessionPriceList(booking.session_id),
    ]);
    return this.describe(Number(booking.price_pence), organisation, list, parts);
  }

  private async describe(
    pence: number,
    organisation: { name: string; type: OrganisationType } | null,
    list: PriceList,
    parts: readonly TimedPart[],
  ): Promise<DelegatePrice> {
    const [settings, policy] = await Promise.all([this.settings.charges(), this.settings.policy()]);
    return {
      pence,
      priceText: pence === 0 ? 'Free' : amountWords(pence, settings.vatRateBasisPoints),
      organisationText: organisation
        ? `${organisation.name}, ${ORGANISATION_TYPE_ONE[organisation.type]}`
        : null,
      terms: chargingTerms({
        settings,
        policy,
        parts,
        pricePence: pence,
        organisationType: organisation?.type ?? null,
        sessionHasPrices: anyPrice(list),
      }),
    };
  }
}
