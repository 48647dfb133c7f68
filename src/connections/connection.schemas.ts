/** Request and response schemas of the connections API (validation and OpenAPI in one place). */
import { Type } from '@sinclair/typebox';

const Secret = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description, writeOnly: true });

export const LeenaTarget = Type.Object(
  {
    url: Type.String({ maxLength: 2048, description: 'https URL events are POSTed to' }),
    apiKey: Secret('Sent as `Authorization: Bearer`; write-only'),
    signingSecret: Secret('Standard Webhooks secret (`whsec_` + base64); write-only'),
  },
  { additionalProperties: false },
);

export const ConnectionCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63 }),
    tenantId: Type.String({ minLength: 1, maxLength: 255, description: 'Directory (tenant) ID' }),
    clientId: Type.String({ minLength: 1, maxLength: 64, description: 'Application (client) ID' }),
    clientSecret: Secret('Client secret value; write-only'),
    clientSecretExpiresAt: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    groupId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    leena: LeenaTarget,
  },
  { additionalProperties: false },
);

export const ConnectionPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    clientSecret: Type.Optional(Secret('Client secret value; write-only')),
    clientSecretExpiresAt: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    groupId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    leena: Type.Optional(Type.Partial(LeenaTarget, { additionalProperties: false })),
    deliveryPaused: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ConnectionResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tenantId: Type.String(),
  clientId: Type.String(),
  clientSecretSet: Type.Boolean(),
  clientSecretExpiresAt: Type.Union([Type.String(), Type.Null()]),
  groupId: Type.Union([Type.String(), Type.Null()]),
  leena: Type.Object({ url: Type.String(), apiKeySet: Type.Boolean(), signingSecretSet: Type.Boolean() }),
  deliveryPaused: Type.Boolean(),
  credentialError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ConnectionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255, description: 'Connection id or name' }),
});

export const ErrorResponse = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});
