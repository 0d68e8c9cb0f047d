/**
 * Each request's logger, made when it first writes a line.
 *
 * Fastify gives every request a child of the app's logger, bound to the
 * request's id. pino makes a child by serialising (and redacting) those
 * bindings there and then: about a twentieth of the processor time of serving
 * a cached page, for a logger that at LOG_LEVEL=warn writes nothing for almost
 * every request. This logger makes the same child, with the same bindings and
 * options, the first time a line is logged at a level that is written, so the
 * lines are exactly those pino's child writes.
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** The app's logger as Fastify builds it from options: pino's. */
type ParentLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

export const lazyRequestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => {
  const parent = logger as ParentLogger;
  // A route with its own level or serialisers needs pino's child to decide
  // what is written; Trellis's routes have neither, but any that did would
  // simply get it at once.
  if (options.level !== undefined || options.serializers !== undefined || !parent.isLevelEnabled) {
    return logger.child(bindings, options);
  }
  return new RequestLogger(parent, bindings, options);
};

class RequestLogger implements FastifyBaseLogger {
  private made?: FastifyBaseLogger;

  constructor(
    private readonly parent: ParentLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): LevelWithSilentOrString {
    return this.made ? this.made.level : this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.child_().level = level;
  }

  // Methods, not arrow functions in fields: one of these is made per request.
  fatal(...line: unknown[]): void {
    this.write('fatal', line);
  }
  error(...line: unknown[]): void {
    this.write('error', line);
  }
  warn(...line: unknown[]): void {
    this.write('warn', line);
  }
  info(...line: unknown[]): void {
    this.write('info', line);
  }
  debug(...line: unknown[]): void {
    this.write('debug', line);
  }
  trace(...line: unknown[]): void {
    this.write('trace', line);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.child_().child(bindings, options);
  }

  private write(level: Level, line: unknown[]): void {
    // Once made, the child decides (its level may have been changed).
    if (!this.made && !this.parent.isLevelEnabled(level)) return;
    (this.child_()[level] as (...written: unknown[]) => void)(...line);
  }

  private child_(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }
}
