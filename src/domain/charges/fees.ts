/**
 * Late-cancellation and non-attendance fees: how much a proposed charge is,
 * and when one is proposed at all. A proposal is only ever a proposal: a
 * coordinator confirms, reduces or waives it, after the delegate has had the
 * chance to say why.
 *
 * - A place with a price is never also charged a fee: its price is what is
 *   owed (a late cancellation of a paid place proposes its price instead).
 * - A colleague sent in someone's place (a substitution) is never charged.
 * - Delegates with no organisation, and organisations of a type the hub does
 *   not charge, are never charged.
 */
import type { OrganisationType } from '../programme/organisation.js';
import type { ChargesSettings } from './chargesSettings.js';

/** A part of half a day or less (four hours) is charged the half-day fee; anything longer, the day fee. */
export const HALF_DAY_MINUTES = 240;

export interface TimedPart {
  startsAt: Date;
  endsAt: Date;
}

/** The fee for one part of a session, by its length. */
export function partFee(part: TimedPart, settings: ChargesSettings): number {
  const minutes = Math.round((part.endsAt.getTime() - part.startsAt.getTime()) / 60_000);
  return minutes > HALF_DAY_MINUTES ? settings.dayFeePence : settings.halfDayFeePence;
}

/**
 * The fee for missing `missed` parts of a session of `allParts`: a day's or
 * half day's fee per part missed, or, on the per-session basis, the session
 * fee (whatever was missed).
 */
export function feeFor(missed: readonly TimedPart[], settings: ChargesSettings): number {
  if (missed.length === 0) return 0;
  if (settings.feeBasis === 'session') return settings.sessionFeePence;
  return missed.reduce((total, part) => total + partFee(part, settings), 0);
}

/** Whether a delegate of this organisation type (null: no organisation) may be charged a fee. */
export function organisationCharged(type: OrganisationType | null, settings: ChargesSettings): boolean {
  return type !== null && settings.chargedOrganisationTypes.includes(type);
}

export type PartMark = 'attended' | 'partial' | 'absent';

/**
 * The parts a delegate counts as having missed, from their marks (a part not
 * marked is not counted: the register is not finished). Nobody who attended
 * every part missed anything. When partly attending counts as attending,
 * only someone absent from every part missed anything (the whole session);
 * otherwise every part not fully attended counts as missed.
 */
export function missedParts<P>(
  marks: readonly { part: P; mark: PartMark | null }[],
  settings: ChargesSettings,
): P[] {
  const marked = marks.filter((m): m is { part: P; mark: PartMark } => m.mark !== null);
  if (marked.length < marks.length || marked.length === 0) return [];
  if (settings.partlyAttendedCountsAsAttended) {
    return marked.every((m) => m.mark === 'absent') ? marked.map((m) => m.part) : [];
  }
  return marked.filter((m) => m.mark !== 'attended').map((m) => m.part);
}
