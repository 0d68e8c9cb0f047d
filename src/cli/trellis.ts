/**
 * Trellis's command line, for operators: `npm run trellis -- <command>`.
 *
 *   outbox        emails waiting to be sent, and any that are stuck
 *   jobs          the background jobs, their cadence and last run; `jobs run NAME` runs one now
 *   create-admin  the first administrator: --name "Full Name" --email address
 *   backup FILE   a consistent copy of the database while Trellis runs; `restore FILE --yes` puts one back
 */
import { parseArgs } from 'node:util';

import { loadConfig } from '../config.js';
import { BACKUP_USAGE, BackupRefusal, backupCommand, restoreCommand } from './backup.js';

// The rest of Trellis (services, jobs) is loaded only by the commands that use
// it: backup and restore need none of it, and loading it all took seconds on
// a busy machine, at the moment a backup is wanted.
const usage = async () => `Usage: npm run trellis -- <command>

Commands:
  outbox         list emails that are stuck (not sent after several tries, or for 15 minutes)
${(await import('./jobs.js')).JOBS_USAGE}
  create-admin   create an administrator: --name "Full Name" --email name@example.org.uk
                 (prints a one-time password; the first sign-in sets up an authenticator app)
${BACKUP_USAGE}
`;

async function main(command: string | undefined) {
  if (!command || !['outbox', 'jobs', 'create-admin', 'backup', 'restore'].includes(command)) {
    console.log(await usage());
    process.exitCode = command ? 2 : 0;
    return;
  }
  const config = loadConfig();
  if (command === 'backup' || command === 'restore') {
    // Before the database is opened: a backup must not migrate (or create) the
    // database it copies, and a restore replaces it.
    const run = command === 'backup' ? backupCommand : restoreCommand;
    process.exitCode = await run(process.argv.slice(3), config.databaseUrl, (line) => console.log(line));
    return;
  }
  const [
    { openDatabase },
    { migrateToLatest },
    { startJobs },
    { buildServices },
    { resolveSecretsKey },
    { createAdmin },
    { jobsCommand },
  ] = await Promise.all([
    import('../data/db.js'),
    import('../data/migrations/index.js'),
    import('../jobs/scheduler.js'),
    import('../services/index.js'),
    import('../services/accounts/secretBox.js'),
    import('./createAdmin.js'),
    import('./jobs.js'),
  ]);
  const database = openDatabase(config.databaseUrl, { command: true });
  try {
    await migrateToLatest(database.db, database.dialect);
    const services = buildServices(database, {
      publicUrl: config.publicUrl,
      secretsKey: resolveSecretsKey(config),
      oneTimePasswordHours: config.oneTimePasswordHours,
    });
    if (command === 'create-admin') {
      // Output captured by a job runner ends up in logs: in production the
      // password is shown only to a person at a terminal.
      if (config.env === 'production' && !process.stdout.isTTY) {
        throw new Error(
          'In production the one-time password is shown only in a terminal, never written to a log: run create-admin in an interactive terminal.',
        );
      }
      const { values } = parseArgs({
        args: process.argv.slice(3),
        options: { name: { type: 'string' }, email: { type: 'string' } },
      });
      const admin = await createAdmin({ name: values.name ?? '', email: values.email ?? '' }, services);
      console.log(`Administrator ${admin.email} created.`);
      console.log(`One-time password (shown once, not stored readably): ${admin.password}`);
      console.log(
        `It works for ${config.oneTimePasswordHours} hours; if it expires unused, run create-admin again for a new one.`,
      );
      console.log(`Sign in at ${config.publicUrl}/admin/sign-in and set up an authenticator app.`);
    } else if (command === 'outbox') {
      const stuck = await services.outbox.stuck(services.clock.now());
      if (!stuck.length) {
        console.log('No stuck emails.');
        return;
      }
      console.log(`${stuck.length} stuck ${stuck.length === 1 ? 'email' : 'emails'}:`);
      for (const message of stuck) {
        console.log(
          `  #${message.id}  ${message.kind}  created ${message.createdAt.toISOString()}  ` +
            `attempts ${message.attempts}  next try ${message.nextAttemptAt.toISOString()}  ` +
            `last error: ${message.lastError ?? '(none yet)'}`,
        );
      }
      process.exitCode = 1;
    } else {
      const logger = {
        info: (details: object, message: string) => console.log(message, JSON.stringify(details)),
        warn: (details: object, message: string) => console.warn(message, JSON.stringify(details)),
        error: (details: object, message: string) => console.error(message, JSON.stringify(details)),
      };
      const jobs = startJobs(services, config, logger, { start: false });
      try {
        process.exitCode = await jobsCommand(process.argv.slice(3), jobs, (line) => console.log(line));
      } finally {
        await jobs.stop();
      }
    }
  } finally {
    await database.close();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof BackupRefusal ? error.exitCode : 1);
});
