// `npm test`: everything CI checks, in the order a failure is cheapest to
// find: types, lint and format, the production build, then every test
// (unit, both databases, browser) in one vitest run.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const checks = [
  ['Type-check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['Lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['Format', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']],
  ['Build', 'npm', ['run', 'build', '--silent']],
];

/** Runs a command with its output kept, to print whole once it has finished. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => resolve({ status: 1, output: `${error.message}\n` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output: Buffer.concat(output).toString() }));
  });
}

// The four at once: each is a single Node.js process on one core, so one
// after another they left the second core idle for about two minutes. None
// writes what another reads (the build writes dist/ and public/build/, which
// the linter and the formatter ignore). Each one's output is printed whole,
// in the order above, as soon as it and those before it have finished.
const running = checks.map(([, command, args]) => run(command, args));
const failed = [];
for (const [index, [name]] of checks.entries()) {
  const result = await running[index];
  console.log(`\n▶ ${name}`);
  process.stdout.write(result.output);
  if (result.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\n✖ ${failed.join(', ')} failed: fix the problems above, then run npm test again.`);
  process.exit(1);
}

console.log('\n▶ Tests (unit, SQLite, PostgreSQL, browser)');
mkdirSync('test-results', { recursive: true });
const tests = spawnSync(
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
    failed: Math.max(report.numFailedTests, report.success && tests.status === 0 ? 0 : 1),
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
process.exit(tests.status ?? 1);
