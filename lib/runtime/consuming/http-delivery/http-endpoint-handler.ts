import pLimit from 'p-limit';
import type { Envelope } from '../../../messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../handler-context.ts';
import { CircuitBreaker, type CircuitBreakerSettings } from './circuit-breaker.ts';
import { cutBody, EndpointRejectedError, EndpointUnavailableError, outcomeOfStatus, retryAfterSeconds } from './http-delivery-outcome.ts';
import { sigV4Signer, type SigV4Options } from '../../../aws/sigv4-signer.ts';
import { hmacSigner, webhooks, type HmacSecret } from './request-signing.ts';

interface HttpEndpointCommonOptions {
  /** The service's internal endpoint that takes the messages (`POST`). */
  readonly url: string;
  /** How long a delivery may take before it counts as unavailable. @default 10_000 ms */
  readonly timeoutMs?: number;
  /** Deliveries in flight at once to this endpoint, whatever the worker's concurrency. @default 10 */
  readonly concurrency?: number;
  /** @default 5 unavailable answers in a row open it for 30 s */
  readonly breaker?: Partial<CircuitBreakerSettings>;
}

/** How requests are signed: with an HMAC secret, or with AWS Signature V4 for an API behind IAM. */
export type HttpEndpointOptions = HttpEndpointCommonOptions &
  (
    | {
        /**
         * The signing secret, Standard Webhooks' form (`whsec_` and base64): the secret, a function that fetches it
         * once, or a source asked before each delivery (`secretsManagerSecret(...)`, which follows a rotation). Each
         * request carries `webhook-id`, `webhook-timestamp` and `webhook-signature`, which `verifySignature` (or any
         * Standard Webhooks library) checks.
         */
        readonly secret: HmacSecret;
        readonly sigv4?: never;
      }
    | {
        /** Sign with AWS Signature V4 and the worker's credentials instead (`true` for the defaults). */
        readonly sigv4: SigV4Options | true;
        readonly secret?: never;
      }
  );

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
  const url = new URL(options.url);
  const sign = options.sigv4 === undefined ? hmacSigner(options.secret) : sigV4Signer(url, options.sigv4 === true ? {} : options.sigv4);
  const endpoint = url.origin + url.pathname;

  const deliver = async (message: Envelope, context: HandlerContext): Promise<void> => {
    for (;;) {
      await breaker.admit(context.signal);
      try {
        return await attempt(message, context);
      } catch (error) {
        // An answer that left the breaker open (it opened it, or it was the failed probe): this message waits for the
        // next probe as the held ones do, rather than spend a receive on an endpoint that is down.
        if (!(error instanceof EndpointUnavailableError) || breaker.state === 'closed' || context.signal?.aborted) throw error;
      }
    }
  };

  const attempt = async (message: Envelope, context: HandlerContext): Promise<void> => {
    let answered = false;
    try {
      const body = JSON.stringify(message);
      const headers = { 'content-type': 'application/cloudevents+json; charset=utf-8' };
      const signature = await sign({ id: message.id, url, timestamp: new Date(), headers, body });
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { ...headers, ...signature },
          body,
          // A redirect is not followed: fetch would follow a 301, 302 or 303 as a GET without the body, and count the
          // page it lands on as the endpoint's answer. Its 3xx dead-letters the message with where it pointed.
          redirect: 'manual',
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
          throw new EndpointRejectedError(
            context.messageId,
            endpoint,
            response.status,
            response.status >= 300 && response.status < 400 ? `a redirect to ${response.headers.get('location') ?? '(no location)'}, not followed: give the URL it points to` : cutBody(text),
          );
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
