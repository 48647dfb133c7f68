/**
 * Argument parsing on node:util parseArgs, with mistakes reported as UsageError in the
 * command's own terms ("unknown option --dryrun; did you mean --dry-run?").
 */
import { parseArgs } from 'node:util';
import { UsageError } from './cli-io.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface Parsed {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

export function parse(args: readonly string[], options: OptionSpec, usage: string): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { positionals, values: values as Parsed['values'] };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'bad arguments';
    throw new UsageError(`${message}${suggestion(message, options)}\nusage: ${usage}`);
  }
}

export function stringOption(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** The one positional a command requires, e.g. the connection name. */
export function requiredPositional(parsed: Parsed, index: number, what: string, usage: string): string {
  const value = parsed.positionals[index];
  if (value === undefined || value.trim() === '') throw new UsageError(`missing ${what}\nusage: ${usage}`);
  return value;
}

function suggestion(message: string, options: OptionSpec): string {
  const unknown = /Unknown option '(--?[\w-]+)'/.exec(message)?.[1];
  if (!unknown) return '';
  const bare = unknown.replace(/^-+/, '').replace(/[-_]/g, '');
  const near = Object.keys(options).find((name) => name.replace(/-/g, '') === bare);
  return near ? `; did you mean --${near}?` : '';
}
