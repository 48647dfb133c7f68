/**
 * `entra-sync doctor [connection]`: checks a stored connection, or the ENTRA_* / LEENA_* values of
 * the environment before anything is stored, and prints a checklist with a fix for each failure.
 * Exit 0 when every required check passes (warnings allowed), 1 otherwise.
 */
import { parse } from '../args.js';
import type { CliCommand } from '../command.js';
import { renderChecklist, summarize } from '../doctor/checklist.js';
import { targetFromConnection, targetFromEnv } from '../doctor/doctor-target.js';
import { runDoctor } from '../doctor/run-doctor.js';

const usage = 'entra-sync doctor [connection]';

export const command: CliCommand = {
  name: 'doctor',
  summary: 'check credentials, permissions, group, PUBLIC_URL and Leena AI; print what to fix',
  usage,
  async run(args, io) {
    const parsed = parse(args, {}, usage);
    const name = parsed.positionals[0];
    const target = name === undefined ? targetFromEnv(io.env) : await targetFromConnection(io.env, name);
    io.out(`entra-sync doctor: checking ${target.label}`);
    const sections = await runDoctor(target, io.env);
    for (const line of renderChecklist(sections)) io.out(line);
    const summary = summarize(sections);
    io.out('');
    io.out(summary.line);
    return summary.failures === 0 ? 0 : 1;
  },
};
