/**
 * What the booking page shows a delegate of their line manager's emails
 * before they book: who gets them, the email itself (rendered by the same
 * module, src/emails/bookings/lineManagerTold.ts, with this delegate's and session's
 * facts, not a paraphrase), and which other events the manager is told of; or
 * why no email goes (the hub tells managers of nothing, or no address given).
 */
import { isUnreachableAddress } from '../../data/repositories/privacy/personalDataRecords.js';
import { lineManagerEventWords } from '../../domain/accounts/accounts.js';
import { lineManagerEvents, type LineManagerEvent } from '../../domain/hub/policy.js';
import { lineManagerTold } from '../../emails/bookings/lineManagerTold.js';
import type { AccountService } from '../accounts/accountService.js';
import type { MailContext } from './notifications.js';

export type LineManagerPreview =
  | { told: false; because: 'hub_tells_none' | 'no_manager' }
  | {
      told: true;
      manager: { name: string; email: string };
      /** The event the email shown is for: a booking, when the hub tells managers of bookings. */
      shown: LineManagerEvent;
      email: { subject: string; paragraphs: string[] };
      /** The events the manager is told of, in words ("when a place is booked for you and …"). */
      allWords: string;
      /** The events besides the one shown, in words; empty when none. */
      otherWords: string;
    };

export class LineManagerPreviews {
  constructor(
    private readonly accounts: Pick<AccountService, 'details'>,
    private readonly context: () => Promise<MailContext>,
  ) {}

  async forBooking(
    delegateId: number,
    session: { courseTitle: string; startsAt: Date },
  ): Promise<LineManagerPreview> {
    const ctx = await this.context();
    const events = lineManagerEvents(ctx.policy);
    if (!events.length) return { told: false, because: 'hub_tells_none' };
    const delegate = await this.accounts.details(delegateId);
    const address = delegate?.line_manager_email.trim() ?? '';
    if (!delegate || !address || isUnreachableAddress(address)) return { told: false, because: 'no_manager' };
    const [shown = 'booked', ...others] = events;
    const message = lineManagerTold({
      hub: ctx.hub,
      managerName: delegate.line_manager_name,
      delegateName: delegate.name,
      courseTitle: session.courseTitle,
      sessionDate: session.startsAt,
      event: shown,
    });
    return {
      told: true,
      manager: { name: delegate.line_manager_name, email: address },
      shown,
      email: {
        subject: message.subject,
        paragraphs: message.text
          .split(/\n{2,}/)
          .map((p) => p.trim())
          .filter((p) => p && !/^-+$/.test(p)),
      },
      allWords: lineManagerEventWords(events),
      otherWords: lineManagerEventWords(others),
    };
  }
}
