/**
 * The process logger (pino). Secrets are redacted by configuration so that no code path, however
 * careless, can log a client secret, API key, signing secret, clientState or bearer token.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'clientSecret',
  '*.clientSecret',
  '*.*.clientSecret',
  'client_secret',
  '*.client_secret',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'signingSecret',
  '*.signingSecret',
  '*.*.signingSecret',
  'clientState',
  '*.clientState',
  '*.*.clientState',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'secretKey',
  '*.secretKey',
];

export interface LoggerOptions {
  readonly level: string;
  readonly pretty?: boolean;
  /** Tests capture output here to prove secrets never reach it. */
  readonly destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'entra-sync' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
  }
  return pino(base);
}
