/**
 * PriceRecords: the one way in for prices of places (migration 017), used by
 * the programme and session services (courses' and sessions' prices), the
 * price service (what visitors and delegates are shown), the booking
 * confirmation email and BookingRecords (the price fixed on a booking). A course's price for a
 * type with no row is free; a session's with no row is its course's.
 */
import { sql } from 'kysely';

import { ORGANISATION_TYPES, type OrganisationType } from '../../../domain/programme/organisation.js';
import {
  effectivePrices,
  orderedPrices,
  type PriceList,
  type Prices,
} from '../../../domain/charges/prices.js';
import type { Executor } from '../../schema.js';

function asPrices(rows: { organisation_type: OrganisationType; amount_pence: number }[]): Prices {
  const prices: Prices = {};
  for (const row of rows) prices[row.organisation_type] = Number(row.amount_pence);
  return orderedPrices(prices);
}

export class PriceRecords {
  constructor(private readonly db: Executor) {}

  within(trx: Executor): PriceRecords {
    return new PriceRecords(trx);
  }

  async coursePrices(courseId: number): Promise<Prices> {
    return asPrices(
      await this.db
        .selectFrom('course_prices')
        .where('course_id', '=', courseId)
        .select(['organisation_type', 'amount_pence'])
        .execute(),
    );
  }

  /** A session's own prices (the types where it differs from its course). */
  async sessionPrices(sessionId: number): Promise<Prices> {
    return asPrices(
      await this.db
        .selectFrom('session_prices')
        .where('session_id', '=', sessionId)
        .select(['organisation_type', 'amount_pence'])
        .execute(),
    );
  }

  /** Replaces a course's prices: a row for each type that pays, none for the free ones. */
  async setCoursePrices(courseId: number, prices: Prices): Promise<void> {
    await this.db.deleteFrom('course_prices').where('course_id', '=', courseId).execute();
    const rows = ORGANISATION_TYPES.filter((type) => (prices[type] ?? 0) > 0).map((type) => ({
      course_id: courseId,
      organisation_type: type,
      amount_pence: prices[type]!,
    }));
    if (rows.length) await this.db.insertInto('course_prices').values(rows).execute();
  }

  /** Replaces a session's own prices: a row for each type it names (0 is free here), none for "as the course". */
  async setSessionPrices(sessionId: number, prices: Prices): Promise<void> {
    await this.db.deleteFrom('session_prices').where('session_id', '=', sessionId).execute();
    const rows = ORGANISATION_TYPES.filter((type) => prices[type] !== undefined).map((type) => ({
      session_id: sessionId,
      organisation_type: type,
      amount_pence: prices[type]!,
    }));
    if (rows.length) await this.db.insertInto('session_prices').values(rows).execute();
  }

  /** A copy of one course's prices on another (duplicating a course). */
  async copyCoursePrices(fromCourseId: number, toCourseId: number): Promise<void> {
    await this.setCoursePrices(toCourseId, await this.coursePrices(fromCourseId));
  }

  /** Every organisation type's price of a place on the session: its own, else its course's, else free. */
  async sessionPriceList(sessionId: number): Promise<PriceList> {
    return (await this.sessionPriceLists([sessionId])).get(sessionId)!;
  }

  /** Price lists for several sessions at once (a course page's dates), in two queries. */
  async sessionPriceLists(sessionIds: readonly number[]): Promise<Map<number, PriceList>> {
    const lists = new Map<number, PriceList>();
    if (!sessionIds.length) return lists;
    const [course, own] = await Promise.all([
      this.db
        .selectFrom('sessions')
        .innerJoin('course_prices', 'course_prices.course_id', 'sessions.course_id')
        .where('sessions.id', 'in', [...sessionIds])
        .select(['sessions.id as session_id', 'course_prices.organisation_type', 'course_prices.amount_pence'])
        .execute(),
      this.db
        .selectFrom('session_prices')
        .where('session_id', 'in', [...sessionIds])
        .select(['session_id', 'organisation_type', 'amount_pence'])
        .execute(),
    ]);
    for (const id of sessionIds) {
      lists.set(
        id,
        effectivePrices(
          asPrices(course.filter((r) => r.session_id === id)),
          asPrices(own.filter((r) => r.session_id === id)),
        ),
      );
    }
    return lists;
  }

  /**
   * The delegate's organisation (kept one, if it was merged) and its type,
   * or null for someone with no organisation.
   */
  async organisationOf(
    delegateId: number,
  ): Promise<{ id: number; name: string; type: OrganisationType } | null> {
    const row = await this.db
      .selectFrom('delegates')
      .innerJoin('organisations as o', 'o.id', 'delegates.organisation_id')
      .leftJoin('organisations as kept', 'kept.id', 'o.merged_into_id')
      .where('delegates.id', '=', delegateId)
      .select([
        'o.id',
        'o.name',
        'o.type',
        'kept.id as kept_id',
        'kept.name as kept_name',
        'kept.type as kept_type',
      ])
      .executeTakeFirst();
    if (!row) return null;
    return row.kept_id !== null && row.kept_name !== null && row.kept_type !== null
      ? { id: row.kept_id, name: row.kept_name, type: row.kept_type }
      : { id: row.id, name: row.name, type: row.type };
  }

  /**
   * What a place on the session costs this delegate, in pence: the session's
   * own price for their organisation's type, else the course's, else free;
   * nothing without an organisation.
   */
  async priceFor(sessionId: number, delegateId: number): Promise<number> {
    const [row] = await this.placePrices(sessionId, [delegateId]);
    return row ? Number(row.price_pence) : 0;
  }

  /**
   * What a place on the session costs each of these delegates (as priceFor),
   * with the organisation the price is fixed for (the kept one, if theirs was
   * merged), in one statement: a rush's bookings read them all at once under
   * the session's lock. A delegate who does not exist is not in the answer.
   */
  placePrices(sessionId: number, delegateIds: number[]) {
    if (!delegateIds.length) return Promise.resolve([]);
    const type = sql`coalesce(kept.type, o.type)`;
    return this.db
      .selectFrom('delegates')
      .innerJoin('sessions', (join) => join.on('sessions.id', '=', sessionId))
      .leftJoin('organisations as o', 'o.id', 'delegates.organisation_id')
      .leftJoin('organisations as kept', 'kept.id', 'o.merged_into_id')
      .leftJoin('session_prices as sp', (join) =>
        join.onRef('sp.session_id', '=', 'sessions.id').on(sql<boolean>`sp.organisation_type = ${type}`),
      )
      .leftJoin('course_prices as cp', (join) =>
        join.onRef('cp.course_id', '=', 'sessions.course_id').on(sql<boolean>`cp.organisation_type = ${type}`),
      )
      .where('delegates.id', 'in', delegateIds)
      .select([
        'delegates.id as delegate_id',
        sql<number>`coalesce(sp.amount_pence, cp.amount_pence, 0)`.as('price_pence'),
        sql<number | null>`coalesce(o.merged_into_id, delegates.organisation_id)`.as('organisation_id'),
      ])
      .execute();
  }
}
