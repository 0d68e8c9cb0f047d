/**
 * The public catalogue: what a visitor sees of the programme. It turns rows
 * into the facts pages show (places left, whether a session is over, its
 * dates in London time) so that templates only lay them out.
 */
import type { CatalogueRepository, SessionListingRow } from '../../data/repositories/catalogueRepository.js';
import { courseFieldsOf } from '../../data/repositories/programmeRecords.js';
import {
  bookingWindow,
  placesAvailable,
  sessionTiming,
  type BookingWindow,
  type SessionTiming,
} from '../../domain/programme/availability.js';
import {
  COURSE_LEVEL_LABELS,
  SESSION_FORMAT_LABELS,
  describeCpdHours,
  type CourseLevel,
  type FormatFilter,
  type SessionFormat,
} from '../../domain/programme/course.js';
import { quoteAttribution } from '../../domain/afterCourse/feedback.js';
import { searchTerms } from '../../domain/programme/search.js';
import {
  formatDate,
  formatMonth,
  formatShortDate,
  formatTime,
  formatTimeRange,
  monthKeyOf,
  monthRange,
  type MonthKey,
} from '../../domain/time/time.js';
import { NotFoundError } from '../../errors.js';
import type { Clock } from '../clock.js';

export const CATALOGUE_PAGE_SIZE = 20;
export const PAST_DATES_PAGE_SIZE = 20;
/**
 * A course page shows the dates it ran in about the last year, the latest
 * few of them; every earlier one is on its pages of past dates.
 */
const RECENT_PAST_DAYS = 365;
const RECENT_PAST_SHOWN = 10;
const DAY = 24 * 60 * 60 * 1000;

export interface CatalogueQuery {
  words: string[];
  month?: MonthKey;
  topic?: string;
  audience?: string;
  level?: CourseLevel;
  format?: FormatFilter;
  venue?: string;
  withPlacesOnly: boolean;
  page: number;
}

export interface SessionSummary {
  id: number;
  course: { slug: string; title: string; summary: string; level: CourseLevel; levelLabel: string };
  format: SessionFormat;
  formatLabel: string;
  startsAt: Date;
  endsAt: Date;
  /** "Mon 2 Mar 2026" */
  shortDate: string;
  /** "Monday 2 March 2026" */
  date: string;
  /** "9:30am to 3:30pm" for one part; the first part's start for several. */
  time: string;
  partsCount: number;
  venue: { slug: string; name: string; town: string } | null;
  capacity: number;
  placesLeft: number;
  waitlisted: number;
  isFull: boolean;
  cancelled: boolean;
}

export interface SessionPartView {
  startsAt: Date;
  endsAt: Date;
  date: string;
  time: string;
}

/** A session's when and where, as every list of sessions shows them. */
function whenAndWhere(
  row: Pick<
    SessionListingRow,
    'starts_at' | 'ends_at' | 'parts_count' | 'format' | 'venue_slug' | 'venue_name' | 'venue_town'
  >,
) {
  const startsAt = new Date(row.starts_at);
  const endsAt = new Date(row.ends_at);
  const partsCount = Number(row.parts_count);
  return {
    format: row.format,
    formatLabel: SESSION_FORMAT_LABELS[row.format],
    startsAt,
    endsAt,
    shortDate: formatShortDate(startsAt),
    date: formatDate(startsAt),
    time: partsCount > 1 ? `starts ${formatTime(startsAt)}` : formatTimeRange(startsAt, endsAt),
    partsCount,
    venue: row.venue_slug
      ? { slug: row.venue_slug, name: row.venue_name ?? '', town: row.venue_town ?? '' }
      : null,
  };
}

function toSummary(row: SessionListingRow): SessionSummary {
  const placesLeft = placesAvailable(row.capacity, Number(row.places_held));
  return {
    id: row.id,
    course: {
      slug: row.course_slug,
      title: row.course_title,
      summary: row.course_summary,
      level: row.course_level,
      levelLabel: COURSE_LEVEL_LABELS[row.course_level],
    },
    ...whenAndWhere(row),
    capacity: row.capacity,
    placesLeft,
    waitlisted: Number(row.waitlisted),
    isFull: placesLeft === 0,
    cancelled: row.cancelled_at !== null,
  };
}

/** A date a course has run (or is running now): no places, since it can no longer be booked. */
export interface PastSessionSummary extends ReturnType<typeof whenAndWhere> {
  id: number;
  timing: Exclude<SessionTiming, 'upcoming'>;
}

function toPastSummary(
  row: Awaited<ReturnType<CatalogueRepository['pastSessionsOfCourse']>>[number],
  now: Date,
): PastSessionSummary {
  const when = whenAndWhere(row);
  return { id: row.id, ...when, timing: now < when.endsAt ? 'in_progress' : 'finished' };
}

export class CatalogueService {
  constructor(
    private readonly catalogue: CatalogueRepository,
    private readonly clock: Clock,
  ) {}

  async search(query: CatalogueQuery) {
    const terms = searchTerms(query.words);
    // Words with nothing to search for ("&", "the") find nothing, rather than everything.
    if (query.words.length > 0 && terms.length === 0) {
      return { sessions: [], total: 0, page: query.page, pageCount: 1 };
    }
    const now = this.clock.now();
    const range = query.month ? monthRange(query.month) : undefined;
    // A month already past still shows nothing earlier than now.
    const from = range && range.from > now ? range.from : now;
    const { rows, total } = await this.catalogue.searchSessions(
      {
        terms,
        from: from.toISOString(),
        ...(range ? { to: range.to.toISOString() } : {}),
        ...(query.topic ? { topic: query.topic } : {}),
        ...(query.audience ? { audience: query.audience } : {}),
        ...(query.level ? { level: query.level } : {}),
        ...(query.format ? { format: query.format } : {}),
        ...(query.venue ? { venue: query.venue } : {}),
        withPlacesOnly: query.withPlacesOnly,
        limit: CATALOGUE_PAGE_SIZE,
        offset: (query.page - 1) * CATALOGUE_PAGE_SIZE,
      },
      now.toISOString(),
    );
    return {
      sessions: rows.map(toSummary),
      total,
      page: query.page,
      pageCount: Math.max(1, Math.ceil(total / CATALOGUE_PAGE_SIZE)),
    };
  }

  /** The choices offered by the catalogue's filters. */
  async filterChoices() {
    const now = this.clock.now();
    const [starts, topics, audiences, venues] = await Promise.all([
      this.catalogue.upcomingStarts(now.toISOString()),
      this.catalogue.listTopics(),
      this.catalogue.listAudiences(),
      this.catalogue.listVenues(),
    ]);
    const months = [...new Set(starts.map((s) => monthKeyOf(new Date(s))))].map((key) => ({
      key,
      label: formatMonth(key),
    }));
    return {
      months,
      topics,
      audiences,
      levels: Object.entries(COURSE_LEVEL_LABELS).map(([value, label]) => ({ value, label })),
      venues,
    };
  }

  async session(id: number) {
    const now = this.clock.now();
    const row = await this.catalogue.findSession(id, now.toISOString());
    if (!row) throw new NotFoundError('session');
    const [course, parts, trainers, venue, otherDates] = await Promise.all([
      this.courseById(row.course_id),
      this.catalogue.sessionParts(id),
      this.catalogue.sessionTrainers(id),
      row.venue_id === null ? Promise.resolve(undefined) : this.catalogue.findVenueById(row.venue_id),
      this.catalogue.upcomingSessionsOf({ courseId: row.course_id }, now.toISOString(), 10),
    ]);
    const summary = toSummary({ ...row, parts_count: parts.length });
    const timing: SessionTiming = sessionTiming(summary.startsAt, summary.endsAt, now);
    // An archived course is withdrawn: its dates are no longer offered for
    // booking (the booking service refuses them too). The page itself stays,
    // for delegates whose bookings link to it.
    const window: BookingWindow = course.archived
      ? { state: 'closed' }
      : bookingWindow(
          {
            startsAt: summary.startsAt,
            bookingOpensAt: row.booking_opens_at ? new Date(row.booking_opens_at) : null,
            bookingClosesAt: row.booking_closes_at ? new Date(row.booking_closes_at) : null,
          },
          now,
        );
    return {
      ...summary,
      course,
      parts: parts.map((part): SessionPartView => {
        const startsAt = new Date(part.starts_at);
        const endsAt = new Date(part.ends_at);
        return { startsAt, endsAt, date: formatDate(startsAt), time: formatTimeRange(startsAt, endsAt) };
      }),
      trainers,
      venue: venue ? venueView(venue) : null,
      notes: row.notes,
      cancellationReason: row.cancellation_reason,
      timing,
      bookingWindow: window,
      bookingClosesAt: row.booking_closes_at ? describeInstant(new Date(row.booking_closes_at)) : null,
      otherDates: otherDates.filter((s) => s.id !== id).map(toSummary),
    };
  }

  async course(slug: string) {
    const row = await this.catalogue.findCourseBySlug(slug);
    if (!row) throw new NotFoundError('course');
    const now = this.clock.now();
    const since = new Date(now.getTime() - RECENT_PAST_DAYS * DAY);
    const [course, sessions, recentPast, pastTotal] = await Promise.all([
      this.courseById(row.id),
      this.catalogue.upcomingSessionsOf({ courseId: row.id }, now.toISOString()),
      this.catalogue.pastSessionsOfCourse(row.id, now.toISOString(), {
        since: since.toISOString(),
        limit: RECENT_PAST_SHOWN,
        offset: 0,
      }),
      this.catalogue.countPastSessionsOfCourse(row.id, now.toISOString()),
    ]);
    return {
      course,
      sessions: sessions.map(toSummary),
      pastDates: { recent: recentPast.map((s) => toPastSummary(s, now)), total: pastTotal },
    };
  }

  /** One page of the dates a course has run, latest first. A page past the last is not found. */
  async pastDates(slug: string, page: number) {
    const row = await this.catalogue.findCourseBySlug(slug);
    if (!row) throw new NotFoundError('course');
    const now = this.clock.now();
    const total = await this.catalogue.countPastSessionsOfCourse(row.id, now.toISOString());
    const pageCount = Math.max(1, Math.ceil(total / PAST_DATES_PAGE_SIZE));
    if (page > pageCount) throw new NotFoundError('page of past dates');
    const rows = await this.catalogue.pastSessionsOfCourse(row.id, now.toISOString(), {
      limit: PAST_DATES_PAGE_SIZE,
      offset: (page - 1) * PAST_DATES_PAGE_SIZE,
    });
    return {
      course: { slug: row.slug, title: row.title, summary: row.summary },
      sessions: rows.map((s) => toPastSummary(s, now)),
      total,
      page,
      pageCount,
    };
  }

  async venue(slug: string) {
    const row = await this.catalogue.findVenueBySlug(slug);
    if (!row) throw new NotFoundError('venue');
    const sessions = await this.catalogue.upcomingSessionsOf(
      { venueId: row.id },
      this.clock.now().toISOString(),
    );
    return { venue: venueView(row), sessions: sessions.map(toSummary) };
  }

  async venues() {
    const rows = await this.catalogue.venuesWithUpcoming(this.clock.now().toISOString());
    return rows.map((row) => ({ ...venueView(row), upcoming: Number(row.upcoming ?? 0) }));
  }

  async trainers() {
    const rows = await this.catalogue.trainersWithUpcoming(this.clock.now().toISOString());
    return rows.map((row) => ({
      slug: row.slug,
      name: row.name,
      roleTitle: row.role_title,
      upcoming: Number(row.upcoming ?? 0),
    }));
  }

  async trainer(slug: string) {
    const row = await this.catalogue.findTrainerBySlug(slug);
    if (!row) throw new NotFoundError('trainer');
    const sessions = await this.catalogue.upcomingSessionsOf(
      { trainerId: row.id },
      this.clock.now().toISOString(),
    );
    return {
      trainer: {
        slug: row.slug,
        name: row.name,
        roleTitle: row.role_title,
        biography: row.biography,
        photoPath: row.photo_path,
        external: row.employment === 'external',
      },
      sessions: sessions.map(toSummary),
    };
  }

  /** The next sessions (all, or one trainer's) with places and waiting lists, for the back office. */
  async nextSessions(trainerId: number | undefined, limit: number) {
    const rows = await this.catalogue.upcomingSessionsOf(
      trainerId === undefined ? {} : { trainerId },
      this.clock.now().toISOString(),
      limit,
    );
    return rows.map(toSummary);
  }

  async sitemap() {
    return this.catalogue.sitemap(this.clock.now().toISOString());
  }

  private async courseById(courseId: number) {
    const row = await this.catalogue.findCourseById(courseId);
    if (!row) throw new NotFoundError('course');
    const { feedbackQuotes, testimonials, ...details } = await this.catalogue.courseDetails(courseId);
    return {
      id: row.id,
      slug: row.slug,
      ...courseFieldsOf(row),
      levelLabel: COURSE_LEVEL_LABELS[row.level],
      cpdHoursText: describeCpdHours(row.cpd_hours),
      archived: row.archived_at !== null,
      ...details,
      // The hand-entered testimonials, then the quotes from feedback a coordinator chose.
      testimonials: [
        ...testimonials,
        ...feedbackQuotes.map((quote) => ({
          quote: quote.quote,
          attribution: quoteAttribution(quote.quote_consent!, {
            name: quote.delegate_name,
            jobRole: quote.job_role,
          }),
        })),
      ],
    };
  }
}

function venueView(row: {
  slug: string;
  name: string;
  address_lines: string;
  town: string;
  postcode: string | null;
  phone: string | null;
  travel_notes: string;
  access_notes: string;
}) {
  const addressLines = row.address_lines.split('\n').filter(Boolean);
  return {
    slug: row.slug,
    name: row.name,
    addressLines,
    town: row.town,
    postcode: row.postcode,
    /** Every line of the address, for display and for maps. */
    fullAddress: [...addressLines, row.town, row.postcode].filter(Boolean) as string[],
    phone: row.phone,
    travelNotes: row.travel_notes,
    accessNotes: row.access_notes,
  };
}

function describeInstant(instant: Date): string {
  return `${formatTime(instant)} on ${formatDate(instant)}`;
}

export type SessionDetail = Awaited<ReturnType<CatalogueService['session']>>;
export type CourseDetail = SessionDetail['course'];
export type VenueView = ReturnType<typeof venueView>;
