import { secretsManagerSecret } from '../../../aws/secrets-manager-secret.ts';
import type { HttpHandler } from '../../../topology/topology-schema.ts';
import { HandlerConfigurationError } from '../handler-configuration-error.ts';
import { httpEndpointHandler, type HttpEndpointHandler } from './http-endpoint-handler.ts';

/**
 * The handler that runs a queue whose topology handler is of kind `http`: made once when the worker starts, one per
 * queue, so its concurrency limit and breaker cover every message type the queue carries. An `env` secret is read
 * now (missing, it stops the start); a Secrets Manager one on first delivery, then again when its cache expires.
 */
export function declaredHttpHandler(queueId: string, handler: HttpHandler, env: NodeJS.ProcessEnv = process.env): HttpEndpointHandler {
  const common = { url: handler.url, timeoutMs: handler.requestTimeoutSeconds * 1000, concurrency: handler.concurrency, breaker: handler.breaker };
  if (handler.signing === 'sigv4') return httpEndpointHandler({ ...common, sigv4: true });
  // resolveTopology refuses an hmac handler without a secret.
  const secret = handler.secret!;
  if ('secretsManager' in secret) return httpEndpointHandler({ ...common, secret: secretsManagerSecret(secret.secretsManager) });
  const value = env[secret.env];
  if (!value) {
    throw new HandlerConfigurationError(`queue '${queueId}'`, [
      `its http handler's secret is the environment variable ${secret.env}, which is not set; set it to the endpoint's whsec_ secret before the worker starts, or declare secret: { secretsManager: '<name>' }`,
    ]);
  }
  return httpEndpointHandler({ ...common, secret: value });
}
