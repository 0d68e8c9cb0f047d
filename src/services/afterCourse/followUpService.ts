/**
 * The three-month follow-up: the hub's number of days after a session, one
 * email to each delegate marked attended or partly attended (anyone who was
 * there for some of it can say whether their practice changed, as with
 * feedback) and, where the policy says, one to their line manager; one
 * reminder a week later to those who have not answered. Each email carries
 * its own private link, which needs no account.
 *
 * Answers can be given once and not changed afterwards: the link then shows
 * a thank-you page. A manager can instead say the delegate no longer works
 * with them, or opt out of every follow-up email from the hub.
 */
import {
  FollowUpRepository,
  type DueFollowUp,
} from '../../data/repositories/afterCourse/followUpRepository.js';
import {
  FOLLOW_UP_CATCH_UP_DAYS,
  FOLLOW_UP_LINK_DAYS,
  FOLLOW_UP_REMINDER_DAYS,
  OPT_OUT_LINK_DAYS,
  readFollowUpForm,
} from '../../domain/afterCourse/followUp.js';
import { FormError, NotFoundError } from '../../errors.js';
import type { ServiceDeps } from '../deps.js';
import type { MailContext } from '../email/notifications.js';
import { PrivateLinks, type PrivateLink } from '../accounts/privateLinks.js';
import type { Executor } from '../../data/schema.js';

const DAY_MS = 86_400_000;

/** What a follow-up link's page shows. */
export type FollowUpPageState =
  /** The questions, not yet answered. */
  | 'open'
  /** Answered (or the manager said the delegate left them): a thank-you. */
  | 'answered'
  /** Not answered in time: the link has ended. */
  | 'expired';

export class FollowUpService {
  private readonly repository: FollowUpRepository;
  private readonly links: PrivateLinks;

  constructor(private readonly deps: ServiceDeps) {
    this.repository = new FollowUpRepository(deps.db);
    this.links = new PrivateLinks(deps.db, deps.clock);
  }

  /** The job: sends the requests now due, then the reminders. Counts, never names. */
  async run(): Promise<{ sent: number; reminded: number }> {
    return { sent: await this.sendRequests(), reminded: await this.sendReminders() };
  }

  /** Sends each request due, once per booking and respondent however many processes run this. */
  async sendRequests(): Promise<number> {
    const ctx = await this.deps.context();
    const now = this.deps.clock.now();
    const endedBy = new Date(now.getTime() - ctx.policy.followUpDays * DAY_MS);
    const endedAfter = new Date(endedBy.getTime() - FOLLOW_UP_CATCH_UP_DAYS * DAY_MS);
    const due = await this.repository.delegatesDue(endedAfter.toISOString(), endedBy.toISOString());
    if (ctx.policy.followUpLineManagers) {
      due.push(...(await this.repository.managersDue(endedAfter.toISOString(), endedBy.toISOString())));
    }
    let sent = 0;
    const expiresAt = new Date(now.getTime() + FOLLOW_UP_LINK_DAYS * DAY_MS);
    for (const request of due) {
      await this.deps.db.transaction().execute(async (trx) => {
        const requestId = await this.repository
          .within(trx)
          .claim(request, now.toISOString(), expiresAt.toISOString());
        if (requestId === null) return;
        await this.email(trx, ctx, requestId, request, expiresAt, false);
        sent += 1;
      });
    }
    return sent;
  }

  /** The one reminder, a week on, to those who have not answered while their link still works. */
  async sendReminders(): Promise<number> {
    const now = this.deps.clock.now();
    const sentBy = new Date(now.getTime() - FOLLOW_UP_REMINDER_DAYS * DAY_MS);
    const due = await this.repository.remindersDue(sentBy.toISOString(), now.toISOString());
    if (!due.length) return 0;
    const ctx = await this.deps.context();
    let reminded = 0;
    for (const requestId of due) {
      await this.deps.db.transaction().execute(async (trx) => {
        const repository = this.repository.within(trx);
        if (!(await repository.claimReminder(requestId, now.toISOString()))) return;
        const request = (await repository.request(requestId))!;
        const to = {
          bookingId: request.booking_id,
          respondent: request.respondent,
          email: request.email,
          name: request.respondent === 'delegate' ? request.delegate_name : request.line_manager_name,
        };
        // The reminder's link ends when the first one does: the 30 days are not stretched.
        await this.email(trx, ctx, requestId, to, new Date(request.expires_at), true);
        reminded += 1;
      });
    }
    return reminded;
  }

  private async email(
    trx: Executor,
    ctx: MailContext,
    requestId: number,
    to: DueFollowUp,
    expiresAt: Date,
    reminder: boolean,
  ) {
    const links = this.links.within(trx);
    const subject = { followUpRequestId: requestId };
    const token = await links.issue({ purpose: 'follow_up', subject, email: to.email, expiresAt });
    const optOutToken =
      to.respondent === 'line_manager'
        ? await links.issue({
            purpose: 'follow_up_opt_out',
            subject,
            email: to.email,
            expiresAt: new Date(this.deps.clock.now().getTime() + OPT_OUT_LINK_DAYS * DAY_MS),
          })
        : null;
    const request = (await this.repository.within(trx).request(requestId))!;
    await this.deps.mail.followUp(
      trx,
      ctx,
      { name: to.name, email: to.email },
      {
        bookingId: to.bookingId,
        respondent: to.respondent,
        delegateName: request.delegate_name,
        managerName: request.line_manager_name,
        courseTitle: request.course_title,
        sessionDate: new Date(request.session_starts_at),
        expiresAt,
        token,
        optOutToken,
        reminder,
      },
    );
  }

  /** A follow-up link's request, or the ordinary 404 for a token that is not one. */
  private async found(token: string): Promise<{ link: PrivateLink; linkState: string; requestId: number }> {
    const { state, link } = await this.links.check(token, 'follow_up');
    if (!link || link.follow_up_request_id === null) throw new NotFoundError('follow-up');
    return { link, linkState: state, requestId: link.follow_up_request_id };
  }

  /** What a follow-up link's page shows. Opening it (as mail scanners do) changes nothing. */
  async page(token: string) {
    const { requestId } = await this.found(token);
    const request = await this.repository.request(requestId);
    if (!request) throw new NotFoundError('follow-up');
    const now = this.deps.clock.now();
    const state: FollowUpPageState = request.answered_at
      ? 'answered'
      : now >= new Date(request.expires_at)
        ? 'expired'
        : 'open';
    return {
      state,
      respondent: request.respondent,
      outcome: request.outcome,
      delegateName: request.delegate_name,
      courseTitle: request.course_title,
      sessionDate: new Date(request.session_starts_at),
      expiresAt: new Date(request.expires_at),
      keyAreas: state === 'open' ? await this.repository.keyAreas(request.course_id) : [],
      optedOut: request.respondent === 'line_manager' && (await this.repository.hasOptedOut(request.email)),
      requestId,
    };
  }

  /** Saves the answers (all optional), once; says what to correct on the form. */
  async answer(token: string, body: Record<string, unknown>): Promise<void> {
    const { link } = await this.found(token);
    const page = await this.page(token);
    if (page.state !== 'open') return;
    const reading = readFollowUpForm(
      body,
      page.keyAreas.map((a) => a.id),
    );
    if (!reading.ok) throw new FormError(reading.fields);
    const texts = new Map(page.keyAreas.map((a) => [a.id, a.text]));
    const now = this.deps.clock.now().toISOString();
    await this.deps.db.transaction().execute(async (trx) => {
      const saved = await this.repository.within(trx).saveAnswers(
        page.requestId,
        {
          keyAreas: reading.input.keyAreas.flatMap((a) =>
            a.change === null
              ? []
              : [{ keyAreaId: a.keyAreaId, keyAreaText: texts.get(a.keyAreaId)!, change: a.change }],
          ),
          example: reading.input.example,
          obstacles: reading.input.obstacles,
        },
        now,
      );
      if (saved) await this.links.within(trx).use(link.id);
    });
  }

  /** A manager says the delegate no longer works with them: no more follow-ups about them to this address. */
  async noLongerWorksWith(token: string): Promise<void> {
    const { link } = await this.found(token);
    const page = await this.page(token);
    if (page.respondent !== 'line_manager') throw new NotFoundError('follow-up');
    if (page.state !== 'open') return;
    await this.deps.db.transaction().execute(async (trx) => {
      const now = this.deps.clock.now().toISOString();
      if (await this.repository.within(trx).recordNoLongerWorksWith(page.requestId, now)) {
        await this.links.within(trx).use(link.id);
      }
    });
  }

  /**
   * What an opt-out link's page shows. It stays usable after the follow-up
   * link ends, for a year, since opting out should never be hurried.
   */
  async optOutPage(token: string): Promise<{ state: 'open' | 'done' | 'expired'; email: string }> {
    const { state, link } = await this.links.check(token, 'follow_up_opt_out');
    if (!link) throw new NotFoundError('opt-out');
    if (await this.repository.hasOptedOut(link.email)) return { state: 'done', email: link.email };
    return { state: state === 'valid' ? 'open' : state === 'used' ? 'done' : 'expired', email: link.email };
  }

  /**
   * Opts an address out of every follow-up email, from an opt-out link or
   * from a manager's follow-up page (the `follow_up` link, while it works).
   */
  async optOut(token: string, from: 'opt_out_link' | 'follow_up_page'): Promise<void> {
    const purpose = from === 'opt_out_link' ? 'follow_up_opt_out' : 'follow_up';
    const { state, link } = await this.links.check(token, purpose);
    if (!link || link.follow_up_request_id === null) throw new NotFoundError('opt-out');
    if (from === 'follow_up_page') {
      const request = await this.repository.request(link.follow_up_request_id);
      if (request?.respondent !== 'line_manager') throw new NotFoundError('opt-out');
      // A follow-up link that has ended cannot opt out; the opt-out link in the email still can.
      if (state === 'expired') return;
    } else if (state === 'expired') return;
    const now = this.deps.clock.now().toISOString();
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repository.within(trx).optOut(link.email, now);
      if (from === 'opt_out_link') await this.links.within(trx).use(link.id);
    });
  }
}
