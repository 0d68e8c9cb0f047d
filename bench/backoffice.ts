/**
 * The back-office benchmark (`npm run bench:backoffice`). A large hub (see
 * src/demo/largeHub.ts: 5,000 sessions, 200,000 bookings, 20,000 delegates)
 * is generated into a fresh SQLite database and a fresh PostgreSQL database;
 * then, with a signed-in coordinator's cookie, autocannon measures in one run:
 *
 *   1. a bare Fastify "hello" route (bench/bareServer.ts), the baseline;
 *   2. the session list, /admin/sessions (upcoming, first page);
 *   3. the busiest session's booking list, /admin/sessions/:id/bookings;
 *   4. the bookings export for one month, /admin/exports/bookings.csv (at 2
 *      connections: exports are heavier and rarer);
 *   5. the course report for the busiest course over the last year,
 *      /admin/reports/course (at 2 connections, as exports);
 *   6. the year report for the last whole reporting year, /admin/reports?year=…
 *      (at 1 connection, 20 requests: its mean and p99 are how long one takes
 *      to render, against the aim of under a second);
 *   7. the certificates of the past session with the most, in one file,
 *      /admin/sessions/:id/certificates.pdf (at 2 connections, 20 requests);
 *   8. the finance page, /admin/finance (the totals and the first page of
 *      invoices and credit notes);
 *   9. the finance export of the last twelve months' invoices and credit
 *      notes, /admin/finance/export.csv (at 2 connections, as exports);
 *
 * and, in this process on the same database before the server starts (whose
 * scheduler would run the monthly job at its first tick), the monthly invoice
 * run over the large hub's last month of charges (see timeInvoiceRun);
 * and times the largest export allowed (two years, about 130,000 bookings);
 * and, in this process with no server running, renders certificates one after
 * another against plain pdfkit documents (bench/support/certificateRate.ts). Results
 * are ratios to the bare route (requests per second, and mean latency), as
 * absolute figures move from run to run on a shared machine. Each server
 * runs in its own process. See docs/PERFORMANCE.md.
 *
 * Environment:
 *   BENCH_SECONDS         measured seconds per target (default 10)
 *   BENCH_WARMUP_SECONDS  warm-up seconds per target (default 2)
 *   BENCH_DATABASES       sqlite,postgres (default both)
 *   BENCH_CERTIFICATES    certificates rendered for the rate (default 200)
 *   BENCH_SLOW_REQUESTS   requests measured for the year report and the
 *                         certificate file, after 2 to warm up (default 20)
 *   BENCH_POSTGRES_URL    an admin connection to create and drop databases
 *                         (default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { openDatabase, type DialectName } from '../src/data/db.js';
import { migrateToLatest } from '../src/data/migrations/index.js';
import { LARGE_HUB, seedLargeHub } from '../src/demo/largeHub.js';
import { loadDemo } from '../src/demo/loadDemo.js';
import { demoProgramme } from '../src/demo/programme.js';
import { DEFAULT_POLICY } from '../src/domain/hub/policy.js';
import { reportingYear, reportingYearOf, type ReportingYear } from '../src/domain/afterCourse/reports.js';
import { addDays, londonDate } from '../src/domain/time/time.js';
import { STAFF_SESSION_LIMITS } from '../src/domain/accounts/staff.js';
import { EXPORT_MAX_DAYS } from '../src/services/afterCourse/attendanceService.js';
import { fixedClock } from '../src/services/clock.js';
import { buildServices } from '../src/services/index.js';
import { SignInSessions } from '../src/services/accounts/signInSessions.js';
import { certificateRate, type CertificateRate } from './support/certificateRate.js';
import { measure, positiveNumber, type Measurement } from './support/load.js';
import {
  freePort,
  REPOSITORY_ROOT,
  runBenchmark,
  startBareServer,
  startChild,
  stopChild,
  waitForHealth,
} from './support/processes.js';
import { createBenchDatabase, databasesToRun, dropBenchDatabases } from './support/databases.js';
import { printMachine, printTable } from './support/report.js';

/** A few staff at once, as in a real hub's office; the same for the bare route. */
const CONNECTIONS = 10;
const EXPORT_CONNECTIONS = 2;
/** One at a time: the latency is then how long one year report takes to render. */
const YEAR_REPORT_CONNECTIONS = 1;
const CERTIFICATES = positiveNumber('BENCH_CERTIFICATES', 200);
/** The year report and a session's certificate file take up to seconds each: counted in requests, not seconds. */
const SLOW_REQUESTS = positiveNumber('BENCH_SLOW_REQUESTS', 20);
const SECONDS = positiveNumber('BENCH_SECONDS', 10);
const WARMUP_SECONDS = positiveNumber('BENCH_WARMUP_SECONDS', 2, true);
const LOAD = { connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS };
const DATABASES = databasesToRun(process.env.BENCH_DATABASES || 'sqlite,postgres');

interface Prepared {
  seedSeconds: number;
  /** The staff cookie's value: a coordinator signed in as the app would sign them in. */
  staffCookie: string;
  busiestSessionId: number;
  busiestBookings: number;
  month: { from: string; to: string; bookings: number };
  everything: { from: string; to: string };
  /** The course with the most bookings on sessions starting in the year to today. */
  busyCourse: { id: number; from: string; to: string; bookings: number };
  /** The last reporting year wholly past (the default April to March), and the bookings in it. */
  year: { year: ReportingYear; bookings: number };
  /** The past session with the most certificates. */
  certificateSession: { id: number; certificates: number };
  /** The finance export's range (the last twelve months, London dates) and the documents in it. */
  finance: { from: string; to: string; documents: number; monthCharges: number };
}

/**
 * The large hub, and a coordinator's signed-in session minted as
 * StaffService does after the second factor (the hash of a random secret):
 * signing in through the pages needs an authenticator code, which is neither
 * what is measured nor quick to script.
 */
async function prepare(url: string, now: Date): Promise<Prepared> {
  const database = openDatabase(url, { command: true });
  try {
    const started = performance.now();
    await migrateToLatest(database.db, database.dialect);
    await loadDemo(database.db, demoProgramme, now);
    const hub = await seedLargeHub(database.db, now);
    const seedSeconds = (performance.now() - started) / 1000;

    const at = now.toISOString();
    const staff = await database.db
      .insertInto('staff_users')
      .values({
        name: 'Bench Coordinator',
        email: 'bench.coordinator@example.org.uk',
        role: 'coordinator',
        trainer_id: null,
        // Never used: this account's session is minted, not signed in to.
        password_hash: '$argon2id$v=19$m=19456,t=2,p=1$bm90LXVzZWQ$bm90LXVzZWQtbm90LXVzZWQtbm90LXVzZWQ',
        totp_secret: null,
        totp_enrolled_at: at,
        totp_last_step: null,
        disabled_at: null,
        password_change_required_at: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const staffCookie = await new SignInSessions(database.db).start(
      { kind: 'staff', id: staff.id },
      STAFF_SESSION_LIMITS,
      now,
      { stage: 'signed_in' },
    );

    const busiest = await database.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('sessions.starts_at', '>', at)
      .groupBy('bookings.session_id')
      .select((eb) => ['bookings.session_id', eb.fn.countAll<number | string>().as('n')])
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

    // The month after next, in London dates: a coordinator's usual export.
    const from = addDays(londonDate(now), 30);
    const to = addDays(from, 30);
    const inMonth = await database.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('sessions.starts_at', '>=', `${from}T00:00:00.000Z`)
      .where('sessions.starts_at', '<', `${addDays(to, 1)}T00:00:00.000Z`)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();

    // The year to today: a coordinator's usual question of a course.
    const yearAgo = addDays(londonDate(now), -364);
    const startOf = (date: string) => `${date}T00:00:00.000Z`;
    const busyCourse = await database.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('sessions.starts_at', '>=', startOf(yearAgo))
      .where('sessions.starts_at', '<', startOf(addDays(londonDate(now), 1)))
      .groupBy('sessions.course_id')
      .select((eb) => ['sessions.course_id', eb.fn.countAll<number | string>().as('n')])
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

    const current = reportingYearOf(londonDate(now), DEFAULT_POLICY.reportingYearStartMonth);
    const lastYear = reportingYear(current.startYear - 1, DEFAULT_POLICY.reportingYearStartMonth);
    const inYear = await database.db
      .selectFrom('bookings')
      .innerJoin('sessions', 'sessions.id', 'bookings.session_id')
      .where('sessions.starts_at', '>=', startOf(lastYear.from))
      .where('sessions.starts_at', '<', startOf(addDays(lastYear.to, 1)))
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();

    const certificateSession = await database.db
      .selectFrom('certificates')
      .innerJoin('bookings', 'bookings.id', 'certificates.booking_id')
      .where('certificates.withdrawn_at', 'is', null)
      .groupBy('bookings.session_id')
      .select((eb) => ['bookings.session_id', eb.fn.countAll<number | string>().as('n')])
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

    // The last twelve months of invoices and credit notes: what a finance team imports at year end.
    const financeFrom = addDays(londonDate(now), -365);
    const financeTo = londonDate(now);
    const financeDocuments = await database.db
      .selectFrom('invoices')
      .where('state', 'in', ['issued', 'paid'])
      .where('issued_on', '>=', financeFrom)
      .where('issued_on', '<=', financeTo)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();

    return {
      seedSeconds,
      staffCookie,
      busiestSessionId: busiest.session_id,
      busiestBookings: Number(busiest.n),
      month: { from, to, bookings: Number(inMonth.n) },
      // The longest range one export allows (two years; see EXPORT_MAX_DAYS).
      everything: { from: hub.firstDate, to: addDays(hub.firstDate, EXPORT_MAX_DAYS - 1) },
      busyCourse: {
        id: busyCourse.course_id,
        from: yearAgo,
        to: londonDate(now),
        bookings: Number(busyCourse.n),
      },
      year: { year: lastYear, bookings: Number(inYear.n) },
      certificateSession: { id: certificateSession.session_id, certificates: Number(certificateSession.n) },
      finance: {
        from: financeFrom,
        to: financeTo,
        documents: Number(financeDocuments.n),
        monthCharges: hub.charges.monthCharges,
      },
    };
  } finally {
    await database.close();
  }
}

interface DatabaseResult {
  dialect: DialectName;
  prepared: Prepared;
  list: Measurement;
  bookings: Measurement;
  monthExport: Measurement;
  courseReport: Measurement;
  yearReport: Measurement;
  certificateFile: Measurement;
  financePage: Measurement;
  financeExport: Measurement;
  fullExport: { seconds: number; megabytes: number; rows: number };
  /** The monthly invoice run, timed once (timeInvoiceRun). */
  invoiceRun: InvoiceRunTiming;
}

interface InvoiceRunTiming {
  seconds: number;
  invoices: number;
  lines: number;
  placesCharged: number;
}

/**
 * The run the monthly job makes, timed once on the prepared large hub (its
 * last month of charges, largeHubCharges.ts) before the server starts, so
 * nothing else competes: paid places charged, then every confirmed charge
 * gathered onto drafts under the invoice lock.
 */
async function timeInvoiceRun(url: string, now: Date): Promise<InvoiceRunTiming> {
  const database = openDatabase(url, { command: true });
  try {
    const services = buildServices(database, {
      clock: fixedClock(now.toISOString()),
      publicUrl: 'http://127.0.0.1',
      secretsKey: Buffer.alloc(32, 0x5e),
    });
    const started = performance.now();
    const result = await services.invoices.run({ type: 'system' });
    return { seconds: (performance.now() - started) / 1000, ...result };
  } finally {
    await database.close();
  }
}

async function runOn(dialect: DialectName, now: Date): Promise<DatabaseResult> {
  console.log(`\n${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: generating the large hub…`);
  const database = await createBenchDatabase(dialect, 'backoffice');
  try {
    const prepared = await prepare(database.url, now);
    console.log(`  generated in ${prepared.seedSeconds.toFixed(1)} s`);
    // The invoice run goes first, before the server starts: the server's scheduler would
    // otherwise catch the monthly job up at its first tick and leave nothing to time.
    const invoiceRun = await timeInvoiceRun(database.url, now);
    console.log(
      `  monthly invoice run (${prepared.finance.monthCharges} charges of the last month): ${invoiceRun.invoices} invoices, ${invoiceRun.lines} lines in ${invoiceRun.seconds.toFixed(2)} s`,
    );
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const trellis = startChild('Trellis', [join(REPOSITORY_ROOT, 'dist', 'server.js')], {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: baseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      DEMO_CONTENT: 'false',
      SESSION_SECRET: 'bench-only-secret-0123456789abcdef0123456789',
      SECRETS_KEY: '5e'.repeat(32),
      SMTP_URL: 'smtp://127.0.0.1:9',
    });
    try {
      await waitForHealth(baseUrl, trellis, 120_000);
      // Over plain http the staff cookie has no __Host- prefix (see routes/admin/auth.ts).
      const headers = { cookie: `trellis_staff=${prepared.staffCookie}` };
      const load = { ...LOAD, headers };
      const listUrl = `${baseUrl}/admin/sessions`;
      const bookingsUrl = `${baseUrl}/admin/sessions/${prepared.busiestSessionId}/bookings`;
      const monthUrl = `${baseUrl}/admin/exports/bookings.csv?from=${prepared.month.from}&to=${prepared.month.to}`;
      const everythingUrl = `${baseUrl}/admin/exports/bookings.csv?from=${prepared.everything.from}&to=${prepared.everything.to}`;
      const courseUrl = `${baseUrl}/admin/reports/course?${courseQuery(prepared.busyCourse)}`;
      const yearUrl = `${baseUrl}/admin/reports?year=${prepared.year.year.startYear}`;
      const certificatesUrl = `${baseUrl}/admin/sessions/${prepared.certificateSession.id}/certificates.pdf`;
      const financePageUrl = `${baseUrl}/admin/finance`;
      const financeExportUrl = `${baseUrl}/admin/finance/export.csv?${dateRangeQuery(prepared.finance)}`;
      const expected: [string, string][] = [
        [listUrl, 'text/html'],
        [bookingsUrl, 'text/html'],
        [monthUrl, 'text/csv'],
        [courseUrl, 'text/html'],
        [yearUrl, 'text/html'],
        [certificatesUrl, 'application/pdf'],
        [financePageUrl, 'text/html'],
        [financeExportUrl, 'text/csv'],
      ];
      // Each target answers what it should before it is measured: a report
      // that fell back to its form, or an empty certificate file, would measure the wrong thing.
      for (const [url, type] of expected) {
        const response = await fetch(url, { headers, redirect: 'manual' });
        const body = Buffer.from(await response.arrayBuffer());
        const contentType = response.headers.get('content-type') ?? '';
        if (response.status !== 200 || !contentType.startsWith(type)) {
          throw new Error(`GET ${url} gave ${response.status} ${contentType}, expected 200 ${type}`);
        }
        if (url === courseUrl || url === yearUrl) {
          const html = body.toString('utf8');
          const places = /In total<\/caption>[\s\S]*?<td[^>]*>\s*([\d,]+)\s*</.exec(html);
          if (!places || Number(places[1]!.replace(/,/g, '')) === 0) {
            throw new Error(`GET ${url} did not show a report with places in it`);
          }
        }
        if (url === financeExportUrl) {
          // A header and a row per document: an empty export would measure nothing.
          const rows = body.toString('utf8').split('\r\n').filter(Boolean).length - 1;
          if (rows !== prepared.finance.documents || rows === 0) {
            throw new Error(`GET ${url} gave ${rows} rows for ${prepared.finance.documents} documents`);
          }
        }
        if (url === certificatesUrl) {
          // A page a certificate: pdfkit writes each page's object uncompressed.
          const pages = body.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
          if (pages !== prepared.certificateSession.certificates) {
            throw new Error(
              `GET ${url} gave ${pages} pages for ${prepared.certificateSession.certificates} certificates`,
            );
          }
        }
      }
      const list = await measure('session list', listUrl, load);
      const bookings = await measure(
        `booking list (${prepared.busiestBookings} bookings)`,
        bookingsUrl,
        load,
      );
      // Exports are heavier and rarer: two coordinators downloading at once.
      const monthExport = await measure(`export, one month (${prepared.month.bookings} bookings)`, monthUrl, {
        ...load,
        connections: EXPORT_CONNECTIONS,
      });

      // Reports and certificate files are heavier and rarer still.
      const courseReport = await measure(
        `course report, a year (${prepared.busyCourse.bookings} bookings)`,
        courseUrl,
        { ...load, connections: EXPORT_CONNECTIONS },
      );
      const yearReport = await measure(
        `year report ${prepared.year.year.words} (${prepared.year.bookings} bookings), one at a time`,
        yearUrl,
        { ...load, connections: YEAR_REPORT_CONNECTIONS, requests: { warmup: 2, measured: SLOW_REQUESTS } },
      );
      const certificateFile = await measure(
        `session's certificates (${prepared.certificateSession.certificates} in one PDF)`,
        certificatesUrl,
        { ...load, connections: EXPORT_CONNECTIONS, requests: { warmup: 2, measured: SLOW_REQUESTS } },
      );

      const financePage = await measure(
        'finance page (totals, first page of invoices)',
        financePageUrl,
        load,
      );
      const financeExport = await measure(
        `finance export, a year (${prepared.finance.documents} invoices and credit notes)`,
        financeExportUrl,
        { ...load, connections: EXPORT_CONNECTIONS },
      );

      process.stdout.write('  export, two years: ');
      const started = performance.now();
      const response = await fetch(everythingUrl, { headers });
      const body = await response.text();
      const seconds = (performance.now() - started) / 1000;
      if (response.status !== 200) throw new Error(`GET ${everythingUrl} gave ${response.status}`);
      const rows = body.split('\r\n').filter(Boolean).length - 1;
      const megabytes = Buffer.byteLength(body) / 1_048_576;
      console.log(`${rows} rows, ${megabytes.toFixed(1)} MiB in ${seconds.toFixed(2)} s`);
      await stopChild(trellis);
      return {
        dialect,
        prepared,
        list,
        bookings,
        monthExport,
        courseReport,
        yearReport,
        certificateFile,
        financePage,
        financeExport,
        fullExport: { seconds, megabytes, rows },
        invoiceRun,
      };
    } finally {
      await stopChild(trellis);
    }
  } finally {
    await database.drop();
  }
}

/** Two dates in the boxes of the finance filters' date inputs. */
function dateRangeQuery(range: { from: string; to: string }): string {
  const [fromYear, fromMonth, fromDay] = range.from.split('-').map(Number);
  const [toYear, toMonth, toDay] = range.to.split('-').map(Number);
  return new URLSearchParams({
    'from-day': String(fromDay),
    'from-month': String(fromMonth),
    'from-year': String(fromYear),
    'to-day': String(toDay),
    'to-month': String(toMonth),
    'to-year': String(toYear),
  }).toString();
}

/** The course report's form, filled in as a coordinator would: the course and two dates. */
function courseQuery(course: { id: number; from: string; to: string }): string {
  const [fromYear, fromMonth, fromDay] = course.from.split('-').map(Number);
  const [toYear, toMonth, toDay] = course.to.split('-').map(Number);
  return new URLSearchParams({
    course: String(course.id),
    'from-day': String(fromDay),
    'from-month': String(fromMonth),
    'from-year': String(fromYear),
    'to-day': String(toDay),
    'to-month': String(toMonth),
    'to-year': String(toYear),
  }).toString();
}

/** Four decimals, or two significant figures for the smallest ratios (a report a second to bare's thousands). */
function ratio(value: number): string {
  return value < 0.001 ? value.toPrecision(2) : value.toFixed(4);
}

function printResults(bare: Measurement, results: DatabaseResult[], certificates: CertificateRate): void {
  console.log('');
  const header = ['database', 'target', 'req/s', 'mean ms', 'p99 ms', '÷ bare req/s', 'mean ÷ bare mean'];
  const row = (dialect: string, m: Measurement) => [
    dialect,
    m.target,
    m.requestsPerSecond.toFixed(m.requestsPerSecond < 10 ? 1 : 0),
    m.mean.toFixed(1),
    String(m.p99),
    ratio(m.requestsPerSecond / bare.requestsPerSecond),
    (m.mean / Math.max(bare.mean, 0.01)).toFixed(1),
  ];
  printTable(header, [
    row('—', bare),
    ...results.flatMap((r) => [
      row(r.dialect, r.list),
      row(r.dialect, r.bookings),
      row(r.dialect, r.monthExport),
      row(r.dialect, r.courseReport),
      row(r.dialect, r.yearReport),
      row(r.dialect, r.certificateFile),
      row(r.dialect, r.financePage),
      row(r.dialect, r.financeExport),
    ]),
  ]);
  console.log('');
  for (const r of results) {
    const aim = r.yearReport.p99 < 1000 ? 'met' : 'NOT met';
    console.log(
      `  ${r.dialect}: one year report renders in ${r.yearReport.mean.toFixed(0)} ms on average, p99 ${r.yearReport.p99} ms ` +
        `(aim: under 1,000 ms, ${aim}); ${(r.yearReport.mean / Math.max(bare.mean, 0.01)).toFixed(0)} × the bare route's mean latency`,
    );
  }
  console.log(
    `  certificates: ${certificates.perSecond.toFixed(1)} a second in one process ` +
      `(${(certificates.bytes / 1024).toFixed(0)} KiB each, ${certificates.documents} rendered); ` +
      `plain pdfkit one-page documents: ${certificates.plainPerSecond.toFixed(0)} a second; ` +
      `ratio ${ratio(certificates.perSecond / certificates.plainPerSecond)}`,
  );
  console.log('');
  for (const r of results) {
    console.log(
      `  ${r.dialect}: export of two years: ${r.fullExport.rows} rows, ${r.fullExport.megabytes.toFixed(1)} MiB ` +
        `in ${r.fullExport.seconds.toFixed(2)} s (${Math.round(r.fullExport.rows / r.fullExport.seconds)} rows/s); ` +
        `the hub generated in ${r.prepared.seedSeconds.toFixed(1)} s`,
    );
  }
  for (const r of results) {
    console.log(
      `  ${r.dialect}: monthly invoice run: ${r.invoiceRun.invoices} invoices, ${r.invoiceRun.lines} lines, ` +
        `${r.invoiceRun.placesCharged} places charged in ${r.invoiceRun.seconds.toFixed(2)} s ` +
        `(${((r.invoiceRun.seconds * 1000) / Math.max(bare.mean, 0.01)).toFixed(0)} × the bare route's mean latency)`,
    );
  }
}

async function main(): Promise<void> {
  printMachine(
    'Back-office benchmark',
    [
      [
        'hub',
        `${LARGE_HUB.sessions} sessions, ${LARGE_HUB.bookings} bookings, ${LARGE_HUB.delegates} delegates (src/demo/largeHub.ts)`,
      ],
      [
        'load',
        `autocannon, ${CONNECTIONS} connections, warm-up ${WARMUP_SECONDS} s, measured ${SECONDS} s per target`,
      ],
      ['databases', DATABASES.join(', ')],
      ['certificates', `${CERTIFICATES} rendered one after another, against as many plain pdfkit pages`],
    ],
    14,
  );
  console.log('\nBare Fastify "hello"');
  const bareServer = await startBareServer();
  const bare = await measure('bare hello', bareServer.url, LOAD);
  await stopChild(bareServer.child);

  // In this process, with no server running: the PDF library's CPU alone.
  process.stdout.write(`\nCertificates, ${CERTIFICATES} rendered in one process… `);
  const certificates = await certificateRate(CERTIFICATES);
  console.log(`${certificates.perSecond.toFixed(1)} a second`);

  const now = new Date();
  const results: DatabaseResult[] = [];
  for (const dialect of DATABASES) results.push(await runOn(dialect, now));
  printResults(bare, results, certificates);
}

await runBenchmark(main, {
  // Up to about five seconds for each slow request, and a second for each certificate.
  budgetMs:
    (DATABASES.length * (6 * (WARMUP_SECONDS + SECONDS) + 2 * 5 * (SLOW_REQUESTS + 2) + 500) +
      60 +
      CERTIFICATES) *
    1000,
  cleanUp: dropBenchDatabases,
});
