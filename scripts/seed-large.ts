/**
 * `npm run seed:large`: fills a database with a large hub (see
 * src/demo/largeHub.ts: 5,000 sessions, 200,000 bookings, attendance,
 * certificates, feedback and the three-month follow-up for what has happened; organisations'
 * billing details, a month of charges and a year of invoices) on top of the demo
 * programme, to try the back office at size.
 *
 *   DATABASE_URL=sqlite:data/large.sqlite npm run seed:large   (the default)
 *   DATABASE_URL=postgres://… npm run seed:large
 *
 * Then start Trellis on the same DATABASE_URL.
 */
import { performance } from 'node:perf_hooks';

import { openDatabase } from '../src/data/db.js';
import { migrateToLatest } from '../src/data/migrations/index.js';
import { seedLargeHub } from '../src/demo/largeHub.js';
import { loadDemoIfNew } from '../src/demo/loadDemo.js';
import { demoProgramme } from '../src/demo/programme.js';

const url = process.env.DATABASE_URL || 'sqlite:data/large.sqlite';
const database = openDatabase(url);
try {
  const started = performance.now();
  await migrateToLatest(database.db, database.dialect);
  const now = new Date();
  await loadDemoIfNew(database.db, demoProgramme, now);
  const result = await seedLargeHub(database.db, now);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `Added ${result.sessions.toLocaleString('en-GB')} sessions (${result.firstDate} to ${result.lastDate}), ` +
      `${result.bookings.toLocaleString('en-GB')} bookings, ${result.delegates.toLocaleString('en-GB')} delegates, ` +
      `${result.attendance.toLocaleString('en-GB')} attendance marks, ${result.certificates.toLocaleString('en-GB')} certificates, ` +
      `${result.feedback.toLocaleString('en-GB')} feedback responses and ${result.followUps.toLocaleString('en-GB')} follow-up requests ` +
      `(${result.followUpsAnswered.toLocaleString('en-GB')} answered) to ${url.replace(/\/\/[^@]*@/, '//')} in ${seconds} s.`,
  );
  const { charges } = result;
  console.log(
    `Charges: ${charges.monthCharges.toLocaleString('en-GB')} from the last month waiting for the invoice run ` +
      `(${charges.monthConfirmed.toLocaleString('en-GB')} confirmed), and ${charges.invoices.toLocaleString('en-GB')} invoices ` +
      `and ${charges.creditNotes.toLocaleString('en-GB')} credit notes for the ${charges.historyCharges.toLocaleString('en-GB')} charges of the year before.`,
  );
  console.log(`Start Trellis on it with: DATABASE_URL=${url} npm start`);
} finally {
  await database.close();
}
