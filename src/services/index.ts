/**
 * Builds every service from the data layer. The server and the tests both
 * start here, so a test exercises the same wiring as production.
 */
import type { Database } from '../data/db.js';
import type { SharedRedis } from '../data/redis.js';
import { AuditRecords } from '../data/repositories/auditRecords.js';
import { CatalogueRepository } from '../data/repositories/catalogueRepository.js';
import { ChangeCounterRecords } from '../data/repositories/changeCounterRecords.js';
import { OutboxRecords } from '../data/repositories/outboxRecords.js';
import { SettingsRecords } from '../data/repositories/settingsRecords.js';
import { SessionLock } from '../data/sessionLock.js';
import { InvoiceLock } from '../data/invoiceLock.js';
import { AccountService } from './accounts/accountService.js';
import { CertificateService } from './afterCourse/certificateService.js';
import { ReportService } from './afterCourse/reportService.js';
import { FeedbackService } from './afterCourse/feedbackService.js';
import { FeedbackReviewService } from './afterCourse/feedbackReviewService.js';
import { FollowUpService } from './afterCourse/followUpService.js';
import { AttendanceService } from './afterCourse/attendanceService.js';
import { BookingAdminService } from './bookings/bookingAdminService.js';
import { BookingService, type BookingServiceOptions } from './bookings/bookingService.js';
import { GiveUpPlaceService } from './bookings/giveUpPlace.js';
import { CatalogueService } from './programme/catalogueService.js';
import { InvoiceService } from './charges/invoiceService.js';
import { PriceService } from './charges/priceService.js';
import { ChargeProposals } from './charges/chargeProposals.js';
import { ChargeReviewService } from './charges/chargeReview.js';
import { DelegateChargeService } from './charges/delegateCharges.js';
import { FinanceService } from './charges/financeService.js';
import { HealthService } from './operations/health.js';
import { Metrics } from './operations/metrics.js';
import type { ServiceDeps } from './deps.js';
import { systemClock, type Clock } from './clock.js';
import { Notifications, type MailContext } from './email/notifications.js';
import { LineManagerPreviews } from './email/lineManagerPreview.js';
import { PeopleService } from './peopleService.js';
import { RetentionService } from './privacy/retentionService.js';
import { ProgrammeService } from './programme/programmeService.js';
import { SessionAdminService } from './programme/sessionAdminService.js';
import { SecretBox } from './accounts/secretBox.js';
import { SettingsService } from './settingsService.js';
import { ErasureService } from './privacy/erasure.js';
import { SubjectAccessService } from './privacy/subjectAccess.js';
import { StaffService } from './accounts/staffService.js';
import { createSignInThrottle } from './accounts/signInThrottle.js';

export interface Services {
  database: Database;
  /** The Redis shared by every process (REDIS_URL) for limits and the sign-in throttle; null without one. */
  redis: SharedRedis | null;
  clock: Clock;
  catalogue: CatalogueService;
  settings: SettingsService;
  accounts: AccountService;
  /** What the booking page shows of the emails a delegate's line manager gets. */
  lineManagerPreviews: LineManagerPreviews;
  bookings: BookingService;
  /** Every write that changes a session's places runs under it. */
  sessionLock: SessionLock;
  outbox: OutboxRecords;
  staff: StaffService;
  /** The audit log, for reading (changes write their own entries). */
  audit: AuditRecords;
  /** The back office: courses, venues and trainers. */
  programme: ProgrammeService;
  /** The back office: scheduling, changing and cancelling sessions. */
  sessionAdmin: SessionAdminService;
  /** The back office: bookings made, moved and cancelled by staff. */
  bookingAdmin: BookingAdminService;
  /** The back office: registers, attendance and exports. */
  attendance: AttendanceService;
  /** The back office: reports on sessions, courses and the reporting year. */
  reports: ReportService;
  /** The back office: delegates and organisations. */
  people: PeopleService;
  /** Certificates of attendance: downloads and the public verification page. */
  certificates: CertificateService;
  /** After a course: delegates' feedback on its learning outcomes. */
  feedback: FeedbackService;
  /** The back office: quotes chosen for course pages, and feedback answers. */
  feedbackReview: FeedbackReviewService;
  /** After a course: the follow-up on practice, by private link, to delegates and line managers. */
  followUp: FollowUpService;
  /** The back office: invoices and credit notes, the invoice run, billing details. */
  invoices: InvoiceService;
  /** Prices of places and the charging terms, as delegates read them. */
  prices: PriceService;
  /** The back office: proposed charges reviewed by a person (confirm, reduce, waive). */
  chargeReview: ChargeReviewService;
  /** A delegate's side of a charge: telling the hub why, and what their booking shows. */
  delegateCharges: DelegateChargeService;
  /** "I can't come": giving up a place from the private link in its emails, without signing in. */
  giveUp: GiveUpPlaceService;
  /** The back office: finance totals, invoices and credit notes listed, balances, the finance export. */
  finance: FinanceService;
  /** Subject access: everything held about a delegate, for them or for staff answering a request. */
  subjectAccess: SubjectAccessService;
  /** Closing an account (its owner) and erasing a person (staff, on request). */
  erasure: ErasureService;
  /** The retention schedule: its daily run and the dry run of what the next will do. */
  retention: RetentionService;
  /** What public pages are cached against: it changes whenever their content could. */
  publicPagesVersion(): Promise<number>;
  /** This app's figures for /metrics (its own registry, so apps in one process do not mix). */
  metrics: Metrics;
  /** Whether the database answers, for /health. */
  health: HealthService;
}

export interface ServiceOptions {
  clock?: Clock;
  /** Where links in emails point. */
  publicUrl: string;
  booking?: BookingServiceOptions;
  /** Seals secrets stored for reading back (see secretBox.ts resolveSecretsKey). */
  secretsKey: Buffer;
  /** How long a one-time staff password can be used (24 hours unless said). */
  oneTimePasswordHours?: number;
  /** Keeps the sign-in throttle's counts where every process sees them (REDIS_URL). */
  redis?: SharedRedis | null;
}

export function buildServices(database: Database, options: ServiceOptions): Services {
  const clock = options.clock ?? systemClock;
  const counters = new ChangeCounterRecords(database.db);
  const settings = new SettingsService(new SettingsRecords(database.db), counters, clock);
  const notifications = new Notifications(clock, options.publicUrl);
  const context = async (): Promise<MailContext> => {
    const { hub, policy, charges } = await settings.current();
    return { hub, policy, charges };
  };
  const metrics = new Metrics({ database, outbox: new OutboxRecords(database.db), clock });
  const sessionLock = new SessionLock(database.db, database.dialect, {
    ...options.booking,
    onBatch: (pieces, heldMs) => metrics.sessionLockBatch(pieces, heldMs),
  });
  const chargeProposals = new ChargeProposals(
    clock,
    notifications,
    new InvoiceLock(database.db, database.dialect),
  );
  const bookings = new BookingService(
    database.db,
    sessionLock,
    clock,
    notifications,
    context,
    chargeProposals,
    options.booking,
  );
  const redis = options.redis ?? null;
  // One throttle for delegates and staff: their accounts' keys never meet (`delegate:…`, `staff:…`).
  const signInThrottle = createSignInThrottle(clock, redis);
  const accounts = new AccountService(
    database.db,
    clock,
    notifications,
    context,
    options.publicUrl,
    signInThrottle,
  );
  const deps: ServiceDeps = {
    db: database.db,
    dialect: database.dialect,
    clock,
    mail: notifications,
    context,
    sessionLock,
    bookings,
    chargeProposals,
    publicUrl: options.publicUrl,
  };
  const catalogue = new CatalogueService(new CatalogueRepository(database.db, database.dialect), clock);
  const prices = new PriceService(database.db, settings);
  const delegateCharges = new DelegateChargeService(deps);
  return {
    database,
    redis,
    clock,
    catalogue,
    settings,
    accounts,
    lineManagerPreviews: new LineManagerPreviews(accounts, context),
    bookings,
    sessionLock,
    outbox: new OutboxRecords(database.db),
    staff: new StaffService(database.db, clock, new SecretBox(options.secretsKey), {
      oneTimePasswordHours: options.oneTimePasswordHours,
      signInThrottle,
    }),
    audit: new AuditRecords(database.db),
    programme: new ProgrammeService(deps),
    sessionAdmin: new SessionAdminService(deps),
    bookingAdmin: new BookingAdminService(deps),
    attendance: new AttendanceService(deps),
    reports: new ReportService(deps),
    people: new PeopleService(deps),
    certificates: new CertificateService(deps),
    feedback: new FeedbackService(deps),
    feedbackReview: new FeedbackReviewService(deps),
    followUp: new FollowUpService(deps),
    invoices: new InvoiceService(deps, settings),
    prices,
    chargeReview: new ChargeReviewService(deps),
    delegateCharges,
    giveUp: new GiveUpPlaceService(deps, catalogue, prices, delegateCharges),
    finance: new FinanceService(deps, settings),
    subjectAccess: new SubjectAccessService(deps),
    erasure: new ErasureService(deps, settings),
    retention: new RetentionService(deps, settings),
    publicPagesVersion: () => counters.publicPagesVersion(),
    metrics,
    health: new HealthService(database),
  };
}
