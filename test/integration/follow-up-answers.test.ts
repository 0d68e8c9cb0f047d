/**
 * The three-month follow-up's answers on the staff feedback pages: the
 * figures per key area from delegates and line managers apart, who was asked
 * and who answered, and the text they wrote; with names only for those who
 * run the programme, a trainer's own sessions only, and "too few" below five.
 * On both databases, through the real pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FollowUpRepository } from '../../src/data/repositories/afterCourse/followUpRepository.js';
import { DemoRepository } from '../../src/data/repositories/demoRepository.js';
import type { FollowUpRespondent, PracticeChange } from '../../src/domain/afterCourse/followUp.js';
import { newBookingReference } from '../../src/services/bookings/bookingReference.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { settableClock } from '../support/clock.js';
import type { WebClient } from '../support/client.js';
import { eachDatabase } from '../support/databases.js';
import { normalise, parsePage } from '../support/html.js';
import { createBookableSessions, createSignedInDelegates } from '../support/seedDelegates.js';
import { signedInStaff } from '../support/staff.js';

const DAY = 86_400_000;
const KEY_AREA = 'Types of abuse';
const TRAINER_SLUG = 'follow-up-trainer';

interface Answer {
  respondent: FollowUpRespondent;
  outcome: 'answered' | 'no_longer_works_with' | null;
  change?: PracticeChange;
  example?: string;
  obstacles?: string;
}

eachDatabase('follow-up answers on the staff feedback pages', (dialect) => {
  let t: TestApp;
  /** Taught by the trainer; taught by nobody; with only two answers. */
  let taught: number;
  let other: number;
  let quiet: number;
  let courseId: number;
  let keyAreaId: number;
  let coordinator: WebClient;
  let trainer: WebClient;
  let viewer: WebClient;
  let labels = 0;
  const db = () => t.database.db;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: false, clock: settableClock(TEST_NOW) });
    const now = new Date(TEST_NOW);
    [taught, other, quiet] = (await createBookableSessions(
      db(),
      now,
      [100, 101, 102].map((days) => new Date(now.getTime() - days * DAY)),
      40,
    )) as [number, number, number];
    courseId = (await db().selectFrom('courses').select('id').executeTakeFirstOrThrow()).id;
    keyAreaId = (await db().selectFrom('course_key_areas').select('id').executeTakeFirstOrThrow()).id;
    const trainerRow = await db()
      .insertInto('trainers')
      .values({
        slug: TRAINER_SLUG,
        name: 'Robin Teacher',
        role_title: 'Trainer',
        biography: '',
        photo_path: null,
        employment: 'hub',
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('session_trainers')
      .values({ session_id: taught, trainer_id: trainerRow.id, position: 0 })
      .execute();

    // Five delegates answered on the taught session, one did not; two line managers were asked.
    await answered(taught, 'Avery Quill', [
      {
        respondent: 'delegate',
        outcome: 'answered',
        change: 'a_lot',
        example: 'Zulu: I ask the child first.',
        obstacles: 'Caseload.',
      },
      {
        respondent: 'line_manager',
        outcome: 'answered',
        change: 'a_lot',
        example: 'Manager: she leads the team huddle now.',
      },
    ]);
    await answered(taught, 'Blake Quill', [
      {
        respondent: 'delegate',
        outcome: 'answered',
        change: 'a_lot',
        example: 'Alpha: I record concerns the same day.',
      },
      { respondent: 'line_manager', outcome: 'no_longer_works_with' },
    ]);
    await answered(taught, 'Casey Quill', [
      { respondent: 'delegate', outcome: 'answered', change: 'somewhat', obstacles: 'Agency cover.' },
    ]);
    await answered(taught, 'Devon Quill', [
      {
        respondent: 'delegate',
        outcome: 'answered',
        change: 'a_little',
        example: 'Mike: I check the chronology.',
      },
    ]);
    await answered(taught, 'Ellis Quill', [
      { respondent: 'delegate', outcome: 'answered', change: 'not_applicable' },
    ]);
    await answered(taught, 'Frankie Quill', [{ respondent: 'delegate', outcome: null }]);

    await answered(other, 'Gale Other', [
      { respondent: 'delegate', outcome: 'answered', change: 'a_lot', example: 'Another session entirely.' },
    ]);
    await answered(quiet, 'Harper Quiet', [
      { respondent: 'delegate', outcome: 'answered', change: 'somewhat', example: 'Quiet one.' },
    ]);
    await answered(quiet, 'Indy Quiet', [
      { respondent: 'delegate', outcome: 'answered', change: 'a_lot', example: 'Quiet two.' },
    ]);

    coordinator = await signedInStaff(t, 'coordinator');
    trainer = await signedInStaff(t, 'trainer', TRAINER_SLUG);
    viewer = await signedInStaff(t, 'viewer');
  });
  afterAll(() => t.close());

  /** A delegate named `name` booked on `sessionId`, and the follow-ups about that booking, sent and answered as given. */
  async function answered(sessionId: number, name: string, answers: Answer[]) {
    labels += 1;
    const now = new Date(TEST_NOW);
    const [delegate] = await createSignedInDelegates(db(), now, 1, `fa${labels}`);
    await db().updateTable('delegates').set({ name }).where('id', '=', delegate!.id).execute();
    const reference = newBookingReference();
    await new DemoRepository(db()).insertBookings(
      [{ reference, sessionId, delegateId: delegate!.id, state: 'confirmed', offerExpiresAt: null }],
      now,
    );
    const booking = await db()
      .selectFrom('bookings')
      .where('reference', '=', reference)
      .select('id')
      .executeTakeFirstOrThrow();
    const repository = new FollowUpRepository(db());
    for (const answer of answers) {
      const requestId = await repository.claim(
        {
          bookingId: booking.id,
          respondent: answer.respondent,
          email: `${answer.respondent}.${labels}@example.org.uk`,
          name,
        },
        now.toISOString(),
        new Date(now.getTime() + 30 * DAY).toISOString(),
      );
      if (answer.outcome === 'answered') {
        await repository.saveAnswers(
          requestId!,
          {
            keyAreas: answer.change ? [{ keyAreaId, keyAreaText: KEY_AREA, change: answer.change }] : [],
            example: answer.example ?? '',
            obstacles: answer.obstacles ?? '',
          },
          now.toISOString(),
        );
      } else if (answer.outcome === 'no_longer_works_with') {
        await repository.recordNoLongerWorksWith(requestId!, now.toISOString());
      }
    }
  }

  async function page(client: WebClient, url: string) {
    const response = await client.get(url);
    expect(response.statusCode).toBe(200);
    return { html: response.body, ...parsePage(response.body) };
  }

  /** A table's rows as [row heading, ...cells], found by its caption. */
  function table(document: ReturnType<typeof parsePage>['document'], caption: string) {
    const found = [...document.querySelectorAll('table')].find(
      (candidate) => normalise(candidate.querySelector('caption')?.textContent ?? '') === caption,
    );
    if (!found) throw new Error(`no table "${caption}"`);
    return [...found.querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('th, td')].map((cell) => normalise(cell.textContent ?? '')),
    );
  }

  describe('the figures', () => {
    it('counts each answer in words per key area, from delegates and line managers apart, and who was asked and answered', async () => {
      const { document, text } = await page(coordinator, `/admin/sessions/${taught}/feedback`);
      expect(text()).toContain('Three-month follow-up');
      expect(table(document, KEY_AREA)).toEqual([
        ['Not at all', '0', '0'],
        ['A little', '1', '0'],
        ['Somewhat', '1', '0'],
        ['A lot', '2', '1'],
        ['Not applicable', '1', '0'],
      ]);
      expect(text()).toContain('Delegates (5 answered)');
      expect(text()).toContain('Line managers (1 answered)');
      expect(table(document, 'Who was asked and who answered')).toEqual([
        ['Asked', '6', '2'],
        ['Answered', '5', '1'],
        ['Said “this person no longer works with me”', 'Not asked', '1'],
      ]);
      // Five delegates answered: enough; one line manager: too few.
      expect(text()).not.toContain(
        'delegates answered the follow-up: their figures are too few to read into',
      );
      expect(text()).toContain(
        'Fewer than 5 line managers answered the follow-up: their figures are too few to read into.',
      );
    });

    it('covers a course’s sessions together on the course page', async () => {
      const { document } = await page(viewer, `/admin/courses/${courseId}/feedback`);
      expect(table(document, 'Who was asked and who answered')[0]).toEqual(['Asked', '9', '2']);
      expect(table(document, KEY_AREA)[3]).toEqual(['A lot', '4', '1']);
    });

    it('says the figures are too few to read into when fewer than five delegates answered', async () => {
      const { text } = await page(coordinator, `/admin/sessions/${quiet}/feedback`);
      expect(text()).toContain(
        'Fewer than 5 delegates answered the follow-up: their figures are too few to read into.',
      );
      expect(text()).toContain('Quiet one.');
    });
  });

  describe('who sees names', () => {
    it('shows coordinators who wrote what, the delegate by name and the manager as the delegate’s line manager', async () => {
      const { text } = await page(coordinator, `/admin/sessions/${taught}/feedback`);
      expect(text()).toContain('Each follow-up answer');
      expect(text()).toMatch(
        /Avery Quill, [^,]*2025 Types of abuse ?A lot An example of something they do differently ?Zulu: I ask the child first\. What got in the way of putting the course into practice ?Caseload\./,
      );
      expect(text()).toMatch(
        /Line manager of Avery Quill, [^,]*2025 Types of abuse ?A lot An example of something they do differently ?Manager: she leads the team huddle now\./,
      );
    });

    for (const role of ['trainer', 'viewer'] as const) {
      it(`shows a ${role} the text without names, in alphabetical order, delegates and managers apart`, async () => {
        const client = role === 'trainer' ? trainer : viewer;
        const { html, text } = await page(client, `/admin/sessions/${taught}/feedback`);
        for (const name of ['Avery', 'Blake', 'Casey', 'Devon', 'Ellis', 'Line manager of']) {
          expect(text()).not.toContain(name);
        }
        expect(text()).toContain('Follow-up answers are shown without names.');
        const examples = [
          'Alpha: I record concerns the same day.',
          'Mike: I check the chronology.',
          'Zulu: I ask the child first.',
        ];
        const positions = examples.map((example) => html.indexOf(example));
        expect(positions.every((p) => p > 0)).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        // The manager's example comes under line managers, after every delegate's.
        expect(html.indexOf('Manager: she leads the team huddle now.')).toBeGreaterThan(positions.at(-1)!);
        expect(text()).toContain('Agency cover.');
        expect(text()).toContain('Caseload.');
        expect(text()).not.toContain('Another session entirely.');
      });
    }

    it('gives a trainer the ordinary 404 for another trainer’s session', async () => {
      expect((await trainer.get(`/admin/sessions/${other}/feedback`)).statusCode).toBe(404);
      expect((await trainer.get(`/admin/sessions/${taught}/feedback`)).statusCode).toBe(200);
    });
  });
});
