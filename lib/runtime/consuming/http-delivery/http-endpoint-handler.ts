import pLimit from 'p-limit';
import type { Webhook } from 'standardwebhooks';
import type { Envelope } from '../../../messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../message-processor.ts';
import { CircuitBreaker, type CircuitBreakerSettings } from './circuit-breaker.ts';
import { cutBody, EndpointRejectedError, EndpointUnavailableError, outcomeOfStatus, retryAfterSeconds } from './http-delivery-outcome.ts';

export interface HttpEndpointOptions {
  /** The service's internal endpoint that takes the messages (`POST`). */
  readonly url: string;
  /**
   * The signing secret, Standard Webhooks' form (`whsec_` and base64), or a function that fetches it once (from
   * Secrets Manager: `() => secrets.getSecretValue(...)`). Each request carries `webhook-id`, `webhook-timestamp` and
   * `webhook-signature`, which `verifySignature` (or any Standard Webhooks library) checks.
   */
  readonly secret: string | (() => Promise<string>);
  /** How long a delivery may take before it counts as unavailable. @default 10_000 ms */
  readonly timeoutMs?: number;
  /** Deliveries in flight at once to this endpoint, whatever the worker's concurrency. @default 10 */
  readonly concurrency?: number;
  /** @default 5 unavailable answers in a row open it for 30 s */
  readonly breaker?: Partial<CircuitBreakerSettings>;
}

/** An HTTP endpoint handler, with its breaker for health checks and tests. */
export type HttpEndpointHandler = MessageHandler & { readonly breaker: CircuitBreaker };

/**
 * A worker handler that hands each message to a service's HTTP endpoint and lets the answer decide what becomes of
 * it: the envelope is POSTed as a CloudEvent in structured mode (`application/cloudevents+json`), signed; 2xx is
 * handled; 408, 429, 5xx, a timeout or no connection are retried with the queue's backoff, longer if the endpoint's
 * `Retry-After` asks; any other 4xx is dead-lettered with its status and the start of its answer. While the endpoint
 * is down (the breaker open) deliveries wait rather than fail, so the worker stops receiving and no message spends
 * its receives.
 *
 * @example
 * export default defineWorkers(topology, {
 *   'ledger-sync': { handlers: { 'payment.captured': httpEndpointHandler({ url: 'http://ledger.internal/events', secret: loadSecret }) } },
 * });
 */
export function httpEndpointHandler(options: HttpEndpointOptions): HttpEndpointHandler {
  const breaker = new CircuitBreaker({ failuresToOpen: options.breaker?.failuresToOpen ?? 5, openSeconds: options.breaker?.openSeconds ?? 30 });
  const limit = pLimit(options.concurrency ?? 10);
  let signer: Promise<Webhook> | undefined;
  const signerOf = () => (signer ??= (async () => new (await webhooks()).Webhook(typeof options.secret === 'string' ? options.secret : await options.secret()))());
  const endpoint = new URL(options.url).origin + new URL(options.url).pathname;

  const deliver = async (message: Envelope, context: HandlerContext): Promise<void> => {
    await breaker.admit(context.signal);
    let answered = false;
    try {
      const body = JSON.stringify(message);
      const timestamp = new Date();
      const signature = (await signerOf()).sign(message.id, timestamp, body);
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/cloudevents+json; charset=utf-8',
            'webhook-id': message.id,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signature,
          },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? 10_000), ...(context.signal ? [context.signal] : [])]),
        });
      } catch (error) {
        if (context.signal?.aborted) throw error;
        answered = true;
        breaker.failed();
        throw new EndpointUnavailableError(context.messageId, endpoint, (error as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs ?? 10_000} ms` : `no connection (${(error as Error).message})`);
      }
      const text = await response.text().catch(() => '');
      answered = true;
      switch (outcomeOfStatus(response.status)) {
        case 'delivered':
          breaker.succeeded();
          return;
        case 'retry':
          // A 429 is the endpoint pacing us, not down: it counts toward the breaker all the same, as it asks for a pause.
          breaker.failed();
          throw new EndpointUnavailableError(context.messageId, endpoint, `HTTP ${response.status}`, retryAfterSeconds(response.headers.get('retry-after'), Date.now()));
        case 'reject':
          breaker.succeeded();
          throw new EndpointRejectedError(context.messageId, endpoint, response.status, cutBody(text));
      }
    } finally {
      if (!answered) breaker.abandoned();
    }
  };
  const handler = ((message: Envelope, context: HandlerContext) => limit(() => deliver(message, context))) as HttpEndpointHandler;
  return Object.assign(handler, { breaker });
}

/**
 * Checks a request an endpoint received from `httpEndpointHandler`: its Standard Webhooks signature over the body, id
 * and timestamp with `secret`, and a timestamp within 5 minutes of now. Resolves to the envelope; rejects when the
 * signature is wrong or stale (answer 401 then: the message is dead-lettered, not retried).
 */
export async function verifySignature(request: { readonly headers: Record<string, string | string[] | undefined> | Headers; readonly body: string }, secret: string): Promise<Envelope> {
  const headers = request.headers instanceof Headers ? Object.fromEntries(request.headers) : Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(',') : (value ?? '')]));
  return new (await webhooks()).Webhook(secret).verify(request.body, headers) as Envelope;
}

/** Loaded on first use: a CommonJS module esbuild cannot shake out of the bundles of handlers that never sign. */
const webhooks = () => import('standardwebhooks');
