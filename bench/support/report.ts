/**
 * The parts of a benchmark's report that every benchmark prints alike: what
 * it ran on, and its results as a table. Figures from a shared machine move
 * from run to run, so each report starts by saying which machine, how loaded
 * and when, for runs to be compared fairly.
 */
import os from 'node:os';

/**
 * Prints the benchmark's title, then the machine it runs on (CPUs, memory,
 * load average before the run, Node.js) followed by `runRows`, which say
 * what this benchmark does; each row as `label: value`, the values lined up
 * at `labelWidth`.
 */
export function printMachine(title: string, runRows: Array<[string, string]>, labelWidth: number): void {
  const cpus = os.cpus();
  const loadAverage = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const rows: Array<[string, string]> = [
    ['date', new Date().toISOString()],
    [
      'machine',
      `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown model'}), ${os.platform()} ${os.release()}`,
    ],
    ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadAverage} before the run`],
    ['node', process.version],
    ...runRows,
  ];
  console.log(title);
  for (const [name, value] of rows) console.log(`  ${`${name}:`.padEnd(labelWidth)} ${value}`);
}

/**
 * Prints a blank line, then `header` and `rows` as a plain-text table: the
 * first column left-aligned (names), the others right-aligned (figures).
 */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((c) => (c[i] ?? '').length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ');
  console.log('');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}
