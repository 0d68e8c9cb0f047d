/**
 * Load with autocannon, for the benchmarks: one target measured after a
 * warm-up, failing the run unless every response was 2xx.
 */
import autocannon from 'autocannon';

import { cpuMilliseconds } from './processes.js';

export interface Measurement {
  target: string;
  url: string;
  requestsPerSecond: number;
  /** Mean latency in milliseconds. */
  mean: number;
  p50: number;
  p99: number;
  /** The slowest response, in milliseconds. */
  max: number;
  responses: number;
  bytesPerRequest: number;
  /**
   * Processor time the server's process used per response during the
   * measured run, in microseconds (null without `serverPid`, or off Linux).
   * What a response cost the server, whoever limited the rate: on two cores
   * autocannon can be the one at its limit (see docs/PERFORMANCE.md).
   */
  serverMicrosPerResponse: number | null;
  /** The cores' worth of processor time autocannon (this process) used while measuring: near 1, it set the pace. */
  loadGeneratorCores: number;
}

export interface LoadOptions {
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /**
   * For targets taking up to seconds a request: a number of requests for the
   * warm-up and the measured run instead of a time, so each run ends with
   * whole responses (a timed warm-up shorter than one request has none).
   */
  requests?: { warmup: number; measured: number };
  headers?: Record<string, string>;
  /** The server's process, to weigh its processor time per response. */
  serverPid?: number;
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
  run: { seconds: number } | { requests: number },
  options: LoadOptions,
): Promise<autocannon.Result> {
  const result = await autocannon({
    title,
    url,
    connections: options.connections,
    ...('seconds' in run ? { duration: run.seconds } : { amount: run.requests }),
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
  if (options.requests) {
    process.stdout.write(`warm-up ${options.requests.warmup} requests, `);
    await cannon(`${target} (warm-up)`, url, { requests: options.requests.warmup }, options);
    process.stdout.write(`measuring ${options.requests.measured} requests… `);
  } else {
    if (options.warmupSeconds > 0) {
      process.stdout.write(`warm-up ${options.warmupSeconds} s, `);
      await cannon(`${target} (warm-up)`, url, { seconds: options.warmupSeconds }, options);
    }
    process.stdout.write(`measuring ${options.seconds} s… `);
  }
  const serverCpuBefore = cpuMilliseconds(options.serverPid);
  const loadCpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await cannon(
    target,
    url,
    options.requests ? { requests: options.requests.measured } : { seconds: options.seconds },
    options,
  );
  const wallMs = performance.now() - startedAt;
  const loadCpu = process.cpuUsage(loadCpuBefore);
  const serverCpuAfter = cpuMilliseconds(options.serverPid);
  // Every response counts here, not only the 2xx (cannon() fails the run on any other).
  const responses = result.requests.total;
  const measurement: Measurement = {
    target,
    url,
    // A run of a number of requests may last about a second: count them over
    // its length as timed here (autocannon's own duration is in hundredths).
    requestsPerSecond: options.requests ? result['2xx'] / (wallMs / 1000) : result.requests.mean,
    mean: result.latency.mean,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    responses: result['2xx'],
    bytesPerRequest: result.requests.total ? result.throughput.total / result.requests.total : 0,
    serverMicrosPerResponse:
      serverCpuBefore === null || serverCpuAfter === null || responses === 0
        ? null
        : ((serverCpuAfter - serverCpuBefore) * 1000) / responses,
    loadGeneratorCores: (loadCpu.user + loadCpu.system) / 1000 / wallMs,
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
