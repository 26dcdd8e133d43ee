/** What a request to the endpoint is signed over. */
export interface RequestToSign {
  /** The message's id: Standard Webhooks' `webhook-id`. */
  readonly id: string;
  readonly url: URL;
  readonly timestamp: Date;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Signs one request: resolves to the headers to add. */
export type RequestSigner = (request: RequestToSign) => Promise<Record<string, string>>;

/** A secret that may change while the worker runs (rotated): asked before each delivery, so it caches itself. */
export interface SecretSource {
  value(): Promise<string>;
}

/** Where the HMAC secret comes from: the secret, a function asked once, or a source asked each time. */
export type HmacSecret = string | (() => Promise<string>) | SecretSource;

/** Standard Webhooks' signature: `webhook-id`, `webhook-timestamp`, `webhook-signature` (HMAC-SHA256, whsec_ secret). */
export function hmacSigner(secret: HmacSecret): RequestSigner {
  let once: Promise<string> | undefined;
  // A function's secret is fetched once; a failed fetch (a throttle, a network blip) fails that delivery only, and the
  // next one fetches it again rather than meeting the same rejection until the process ends (fault review 23).
  const fetchOnce = (fetch: () => Promise<string>) =>
    (once ??= fetch().catch((error: unknown) => {
      once = undefined;
      throw error;
    }));
  const current = async () => (typeof secret === 'string' ? secret : typeof secret === 'function' ? fetchOnce(secret) : secret.value());
  // One Webhook per secret value: a rotated secret gets its own.
  let signer: { secret: string; webhook: import('standardwebhooks').Webhook } | undefined;
  return async ({ id, timestamp, body }) => {
    const value = await current();
    if (signer?.secret !== value) signer = { secret: value, webhook: new (await webhooks()).Webhook(value) };
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signer.webhook.sign(id, timestamp, body),
    };
  };
}

/** Loaded on first use: a CommonJS module esbuild cannot shake out of the bundles of handlers that never sign. */
export const webhooks = () => import('standardwebhooks');
