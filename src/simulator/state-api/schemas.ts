// Bodies of the /_sim state API, validated so a demo script's typo fails with a clear 400.
import { z } from 'zod';
import { invalidInput } from '../errors.js';

const text = z.string().nullable().optional();

export const tenantBody = z
  .object({ tenantId: z.string().min(1), displayName: z.string().optional(), domain: z.string().optional() })
  .strict();

export const appBody = z
  .object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    roles: z.array(z.string()).optional(),
    secretExpiresAt: z.iso.datetime({ offset: true }).optional(),
    tokenLifetimeSeconds: z.number().int().positive().optional(),
  })
  .strict();

export const rolesBody = z.object({ roles: z.array(z.string()) }).strict();

export const userBody = z
  .object({
    id: z.string().min(1).optional(),
    userPrincipalName: z.string().min(1).optional(),
    mail: text,
    displayName: text,
    givenName: text,
    surname: text,
    jobTitle: text,
    department: text,
    officeLocation: text,
    employeeId: text,
    mobilePhone: text,
    businessPhones: z.array(z.string()).optional(),
    accountEnabled: z.boolean().optional(),
    managerId: text,
  })
  .strict();

export const seedBody = z
  .object({
    count: z.number().int().min(1).max(5_000_000),
    seed: z.number().int().optional(),
    notify: z.boolean().optional(),
  })
  .strict();

export const managerBody = z.object({ managerId: z.string().min(1).nullable() }).strict();
export const groupBody = z
  .object({ id: z.string().min(1).optional(), displayName: z.string().min(1) })
  .strict();
export const memberBody = z.object({ id: z.string().min(1) }).strict();
export const lifecycleBody = z
  .object({ lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']) })
  .strict();
export const expireBody = z.object({ tenantId: z.string().optional() }).strict();
export const clockBody = z.object({ ms: z.number().int().min(0) }).strict();

/** Parses or throws the simulator's 400 with every problem listed. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw invalidInput(
    result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
  );
}
