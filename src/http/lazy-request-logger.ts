/**
 * Fastify makes a child logger for every request. With pino's redaction on, that costs a copy
 * and a redaction pass of the bindings each time, even though a request that goes well (nearly
 * every webhook call) never logs. This factory defers the child until something is logged.
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>;

export const lazyChildLoggerFactory: ChildLoggerFactory = (logger, bindings, options) =>
  new LazyLogger(logger, bindings, options) as unknown as FastifyBaseLogger;

type LogArgs = Parameters<FastifyBaseLogger['info']>;

class LazyLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private real(): FastifyBaseLogger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.#child?.level ?? this.parent.level;
  }
  set level(value: string) {
    this.real().level = value;
  }
  isLevelEnabled(level: string): boolean {
    return ((this.#child ?? this.parent) as unknown as Logger).isLevelEnabled(level);
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
  fatal(...args: LogArgs): void {
    this.real().fatal(...args);
  }
  error(...args: LogArgs): void {
    this.real().error(...args);
  }
  warn(...args: LogArgs): void {
    this.real().warn(...args);
  }
  info(...args: LogArgs): void {
    this.real().info(...args);
  }
  debug(...args: LogArgs): void {
    if (this.isLevelEnabled('debug')) this.real().debug(...args);
  }
  trace(...args: LogArgs): void {
    if (this.isLevelEnabled('trace')) this.real().trace(...args);
  }
  silent(): void {}
}
