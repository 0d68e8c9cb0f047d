// `npm test`: everything CI checks, in the order a failure is cheapest to
// find: types, lint and format, the production build, then every test
// (unit, both databases, browser) in one vitest run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const steps = [
  ['Type-check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['Lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['Format', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']],
  ['Build', 'npm', ['run', 'build', '--silent']],
];

for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✖ ${name} failed: fix the problems above, then run npm test again.`);
    process.exit(result.status ?? 1);
  }
}

console.log('\n▶ Tests (unit, SQLite, PostgreSQL, browser)');
mkdirSync('test-results', { recursive: true });
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json'],
  { stdio: 'inherit' },
);

let summary;
try {
  const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  summary = {
    passed: report.numPassedTests,
    // A failed file (or an unhandled error) fails the run even when every test passed.
    failed: Math.max(report.numFailedTests, report.success && run.status === 0 ? 0 : 1),
    skipped: report.numPendingTests + report.numTodoTests,
  };
} catch {
  summary = undefined;
}
if (summary) {
  if (summary.skipped > 0) {
    console.log(`\nNOTICE: ${summary.skipped} tests were skipped (see the notices above for why).`);
  }
  console.log(`\nTests: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
}
process.exit(run.status ?? 1);
