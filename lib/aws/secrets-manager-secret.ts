import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PostboxError } from '../postbox-error.ts';
import { awsClientConfig } from './aws-client-config.ts';
import { describeSdkError } from './aws-errors.ts';

/** The secret could not be read: it does not exist, the worker may not read it, it holds no string, or no connection. */
export class SecretUnavailableError extends PostboxError {
  readonly code = 'SECRET_UNAVAILABLE';
  /** A message that needed it is retried: the secret may be created, granted or reachable by then. */
  readonly retryable = true;

  constructor(
    readonly secretId: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`cannot read the secret ${secretId} from Secrets Manager: ${reason}. Create it (a SecretString) or correct its name, and check that the worker's role may call secretsmanager:GetSecretValue on it.`, { cause });
  }
}

export interface SecretsManagerSecretOptions {
  /** How long a value read is used before it is read again, so that a rotated secret is picked up. @default 300 */
  readonly ttlSeconds?: number;
  /** @default a client for AWS_ENDPOINT_URL / AWS_REGION and the default credentials */
  readonly client?: SecretsManagerClient;
  readonly now?: () => number;
}

/**
 * A Secrets Manager secret's current string, read on first use and again once `ttlSeconds` have passed. Reads at
 * once share one call; a failed read again later keeps the value held (the secret did not change for failing to
 * be read), and one with no value to fall back on throws SecretUnavailableError.
 */
export function secretsManagerSecret(secretId: string, options: SecretsManagerSecretOptions = {}): { value(): Promise<string> } {
  const ttlMs = (options.ttlSeconds ?? 300) * 1000;
  const now = options.now ?? Date.now;
  let held: { readonly value: string; readonly readAt: number } | undefined;
  let reading: Promise<string> | undefined;
  let client = options.client;

  const read = async (): Promise<string> => {
    // Loaded on first use: a worker without a Secrets Manager secret does not pay for the SDK's client.
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    client ??= new SecretsManagerClient(awsClientConfig());
    let secret: string | undefined;
    try {
      secret = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      if (held) return held.value;
      throw new SecretUnavailableError(secretId, describeSdkError(error), error);
    }
    if (secret === undefined) throw new SecretUnavailableError(secretId, 'it holds binary data, not a string');
    held = { value: secret, readAt: now() };
    return secret;
  };

  return {
    value() {
      if (held && now() - held.readAt < ttlMs) return Promise.resolve(held.value);
      return (reading ??= read().finally(() => (reading = undefined)));
    },
  };
}
