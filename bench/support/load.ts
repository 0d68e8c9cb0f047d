/**
 * Load with autocannon, for the benchmarks: one target measured after a
 * warm-up, failing the run unless every response was 2xx.
 */
import autocannon from 'autocannon';

export interface Measurement {
  target: string;
  url: string;
  requestsPerSecond: number;
  /** Mean latency in milliseconds. */
  mean: number;
  p50: number;
  p99: number;
  responses: number;
  bytesPerRequest: number;
}

export interface LoadOptions {
  connections: number;
  warmupSeconds: number;
  seconds: number;
  headers?: Record<string, string>;
}

/** What every browser sends; the same for every target, bare included. */
export const BROWSER_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en-GB,en;q=0.9',
};

async function cannon(
  title: string,
  url: string,
  seconds: number,
  options: LoadOptions,
): Promise<autocannon.Result> {
  const result = await autocannon({
    title,
    url,
    connections: options.connections,
    duration: seconds,
    timeout: 30,
    headers: { ...BROWSER_HEADERS, ...options.headers },
  });
  const statusCounts = `1xx ${result['1xx']}, 2xx ${result['2xx']}, 3xx ${result['3xx']}, 4xx ${result['4xx']}, 5xx ${result['5xx']}`;
  if (result.errors > 0 || result.non2xx > 0 || result['2xx'] === 0) {
    throw new Error(
      `${title}: not every response was 2xx (${statusCounts}; ` +
        `errors ${result.errors}, timeouts ${result.timeouts}) for ${url}`,
    );
  }
  return result;
}

export async function measure(target: string, url: string, options: LoadOptions): Promise<Measurement> {
  process.stdout.write(`  ${target}: `);
  if (options.warmupSeconds > 0) {
    process.stdout.write(`warm-up ${options.warmupSeconds} s, `);
    await cannon(`${target} (warm-up)`, url, options.warmupSeconds, options);
  }
  process.stdout.write(`measuring ${options.seconds} s… `);
  const result = await cannon(target, url, options.seconds, options);
  const measurement: Measurement = {
    target,
    url,
    requestsPerSecond: result.requests.mean,
    mean: result.latency.mean,
    p50: result.latency.p50,
    p99: result.latency.p99,
    responses: result['2xx'],
    bytesPerRequest: result.requests.total ? result.throughput.total / result.requests.total : 0,
  };
  console.log(`${Math.round(measurement.requestsPerSecond)} req/s`);
  return measurement;
}

/** A benchmark setting from the environment: a number, or the fallback. */
export function positiveNumber(name: string, fallback: number, zeroAllowed = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new Error(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, not "${raw}"`);
  }
  return value;
}
