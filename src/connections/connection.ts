/** The connection: one customer tenant, its Entra app credentials and its Leena AI target. */

export interface Connection {
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecretExpiresAt: Date | null;
  readonly groupId: string | null;
  readonly leenaUrl: string;
  readonly deliveryPaused: boolean;
  readonly credentialError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Decrypted secrets; only ever held in memory for the call that needs them. */
export interface ConnectionSecrets {
  readonly clientSecret: string;
  readonly leenaApiKey: string;
  readonly leenaSigningSecret: string;
}

/** What the admin API returns: never a secret, only whether one is set. */
export function connectionView(c: Connection) {
  return {
    id: c.id,
    name: c.name,
    tenantId: c.tenantId,
    clientId: c.clientId,
    clientSecretSet: true,
    clientSecretExpiresAt: c.clientSecretExpiresAt?.toISOString() ?? null,
    groupId: c.groupId,
    leena: { url: c.leenaUrl, apiKeySet: true, signingSecretSet: true },
    deliveryPaused: c.deliveryPaused,
    credentialError: c.credentialError,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
export type ConnectionView = ReturnType<typeof connectionView>;

/** AAD contexts bind each encrypted blob to its connection and field. */
export const secretContext = {
  clientSecret: (id: string) => `connection:${id}:client_secret`,
  leenaApiKey: (id: string) => `connection:${id}:leena_api_key`,
  leenaSigningSecret: (id: string) => `connection:${id}:leena_signing_secret`,
};
