/**
 * The shape of Trellis's demo programme. Demo content is plain data so that it
 * reads like a hub's real programme and so the loader can check it before
 * writing anything.
 *
 * Future sessions are placed relative to the day the demo is loaded (so a
 * fresh install always has upcoming dates); past sessions use fixed dates,
 * or a few weeks before that day (so this reporting year has some too).
 * Times are wall-clock times in Europe/London.
 */
import type { CourseLevel, SessionFormat } from '../domain/programme/course.js';

export interface DemoTopic {
  slug: string;
  name: string;
}

export interface DemoAudience {
  slug: string;
  name: string;
}

export interface DemoVenue {
  slug: string;
  name: string;
  /** Street address lines, without the town and postcode. */
  addressLines: string[];
  town: string;
  /** Null where the listing gives none. */
  postcode: string | null;
  phone: string | null;
  /** Markdown: how to get there, parking, public transport. */
  travelNotes: string;
  /** Markdown: step-free access, hearing loops, toilets, quiet rooms. */
  accessNotes: string;
}

export interface DemoTrainer {
  slug: string;
  name: string;
  /** One line, e.g. "Author, Researcher and International Trauma Trainer and Consultant". */
  roleTitle: string;
  /** Markdown, two or three short paragraphs. */
  biography: string;
  /** True when the trainer is not employed by the hub. */
  isExternal: boolean;
}

/** "09:30" style 24-hour wall-clock time in Europe/London. */
export type WallTime = `${number}:${number}`;

export interface DemoSessionPart {
  /** Days after the session's first day (0 for the first part). */
  dayOffset: number;
  start: WallTime;
  end: WallTime;
}

export interface DemoSession {
  /**
   * Either a fixed calendar date ("2024-11-25") for a session in the past,
   * or a number of weeks after (or before) the Monday of the week the demo is loaded.
   */
  when:
    | { date: string }
    | { weeksAhead: number; weekday: 1 | 2 | 3 | 4 | 5 }
    | { weeksAgo: number; weekday: 1 | 2 | 3 | 4 | 5 };
  parts: DemoSessionPart[];
  format: SessionFormat;
  /** Venue slug; required for in_person and hybrid, absent for online. */
  venue?: string;
  /** Trainer slugs, lead trainer first. */
  trainers: string[];
  capacity: number;
  /** Confirmed places the demo fills (demo delegates), at most capacity. */
  confirmed: number;
  /** Demo delegates on the waiting list; only sensible when confirmed = capacity. */
  waitlisted?: number;
  /** Markdown notes for this date only (e.g. "This date is held in the afternoon"). */
  notes?: string;
  /**
   * A past date whose register the demo leaves unmarked, for a newcomer to
   * mark (and see its certificates issued). Other past dates come marked,
   * with certificates and feedback (see pastSessions.ts).
   */
  registerLeftUnmarked?: true;
}

export interface DemoTestimonial {
  quote: string;
  /** "Anonymous", or a role such as "Social worker, children's services". */
  attribution: string;
}

export interface DemoCourse {
  slug: string;
  title: string;
  /** One or two sentences for the catalogue. */
  summary: string;
  /** Markdown: the full description, opening questions first where the hub writes them. */
  description: string;
  /** Who the course is for, in a sentence. */
  audience: string;
  /** Audience slugs for the catalogue filter. */
  audiences: string[];
  /** Topic slugs for the catalogue filter. */
  topics: string[];
  level: CourseLevel;
  /** Markdown: what to expect emotionally, breaks, the right to step out, who to contact. */
  contentNotes: string;
  cpdHours: number;
  /** Markdown: refreshments, lunch, what to bring. */
  practicalNotes: string;
  keyAreas: string[];
  learningOutcomes: string[];
  testimonials: DemoTestimonial[];
  sessions: DemoSession[];
}

export interface DemoProgramme {
  topics: DemoTopic[];
  audiences: DemoAudience[];
  venues: DemoVenue[];
  trainers: DemoTrainer[];
  courses: DemoCourse[];
}
