import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

type LogArgs = [unknown, ...unknown[]];

/**
 * A request's logger that becomes `parent.child(bindings)` only when the request logs at an
 * enabled level. pino redacts a child's bindings when it creates it (the 50-odd redaction
 * paths walked for `{ reqId }`), which cost about 4 % of a cached read's CPU when Fastify
 * did it for every request, most of which never log a line. A class, so that one per
 * request costs one small object and no closures.
 */
class RequestLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  fatal(...args: LogArgs): void {
    this.at('fatal', args);
  }

  error(...args: LogArgs): void {
    this.at('error', args);
  }

  warn(...args: LogArgs): void {
    this.at('warn', args);
  }

  info(...args: LogArgs): void {
    this.at('info', args);
  }

  debug(...args: LogArgs): void {
    this.at('debug', args);
  }

  trace(...args: LogArgs): void {
    this.at('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.real().child(bindings, options);
  }

  private real(): Logger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  private at(level: Level, args: LogArgs): void {
    if (this.made || this.parent.isLevelEnabled(level)) {
      (this.real()[level] as (...line: LogArgs) => void)(...args);
    }
  }
}

export function requestLogger(
  parent: Logger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  // A route with its own level or serializers is rare: its child is made at once.
  if (options.level !== undefined || options.serializers !== undefined)
    return parent.child(bindings, options);
  return new RequestLogger(parent, bindings) as unknown as FastifyBaseLogger;
}
