import { Writable } from 'node:stream';

import Fastify, { type FastifyServerOptions } from 'fastify';
import { describe, expect, it } from 'vitest';

import { lazyRequestLogger } from './requestLogger.js';

/** A Fastify app whose routes log, and the lines its logger wrote. */
async function appLogging(level: string, childLoggerFactory?: FastifyServerOptions['childLoggerFactory']) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        // What differs between two runs whatever the logger.
        delete parsed.time;
        delete parsed.responseTime;
        delete parsed.pid;
        delete parsed.hostname;
        lines.push(parsed);
      }
      done();
    },
  });
  const app = Fastify({
    logger: { level, stream, redact: { paths: ['*.email'], censor: '[redacted]' } },
    ...(childLoggerFactory ? { childLoggerFactory } : {}),
    genReqId: () => 'req-1',
  });
  app.get('/quiet', async () => 'ok');
  app.get('/noisy', async (request) => {
    request.log.info({ step: 'started' }, 'working');
    request.log.error({ person: { email: 'ada@example.org' } }, 'went wrong');
    request.log.child({ part: 'inner' }).warn('from a child');
    return 'ok';
  });
  await app.ready();
  return { app, lines };
}

describe('lazyRequestLogger', () => {
  it.each(['warn', 'info', 'trace'])(
    'writes exactly the lines pino’s own child writes, at %s',
    async (level) => {
      const lazy = await appLogging(level, lazyRequestLogger);
      const eager = await appLogging(level);
      for (const { app } of [lazy, eager]) {
        await app.inject('/quiet');
        await app.inject('/noisy');
        await app.close();
      }
      expect(lazy.lines).toEqual(eager.lines);
      // Not the same because both wrote nothing: the error carries the request
      // id and is redacted, whatever the level.
      expect(lazy.lines).toContainEqual(
        expect.objectContaining({ reqId: 'req-1', msg: 'went wrong', person: { email: '[redacted]' } }),
      );
      expect(lazy.lines).toContainEqual(
        expect.objectContaining({ reqId: 'req-1', part: 'inner', msg: 'from a child' }),
      );
      const infoLines = lazy.lines.filter((line) => line.msg === 'working');
      expect(infoLines).toHaveLength(level === 'warn' ? 0 : 1);
    },
  );

  it('makes no child for a request that writes nothing', async () => {
    const { app } = await appLogging('warn', lazyRequestLogger);
    let children = 0;
    const child = app.log.child.bind(app.log);
    app.log.child = (...args: Parameters<typeof child>) => {
      children += 1;
      return child(...args);
    };
    await app.inject('/quiet');
    expect(children).toBe(0);
    await app.inject('/noisy');
    // The request's own child, made for its first line written, and the child
    // the route asked of it (pino's children inherit the parent's child()).
    expect(children).toBe(2);
    await app.close();
  });
});
