import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { executeApiTarget } from '../topology/http-handler-declaration.ts';
import type { ResolvedQueue } from '../topology/resolved-topology.ts';

/**
 * The ARN of a Secrets Manager secret given by name or ARN. Secrets Manager appends six random characters to a
 * secret's name in its ARN, so a name is granted as `<name>-??????`: that secret and no other (`?` is one character).
 */
function secretArn(stack: Stack, secret: string): string {
  return secret.startsWith('arn:') ? secret : stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${secret}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * Lets the worker task reach the HTTP endpoints of the queues of kind http: secretsmanager:GetSecretValue on exactly
 * each HMAC secret, and execute-api:Invoke of POST on exactly each SigV4-signed execute-api URL (in the stack's
 * account). An endpoint of any other form needs no grant of Postbox's, or one of the user's.
 */
export function grantHttpEndpoints(role: iam.IRole, queues: readonly ResolvedQueue[]): void {
  const stack = Stack.of(role);
  const secrets = new Set<string>();
  const apis = new Set<string>();
  for (const { handler } of queues) {
    if (handler.kind !== 'http') continue;
    if (handler.secret && 'secretsManager' in handler.secret) secrets.add(handler.secret.secretsManager);
    const api = handler.signing === 'sigv4' ? executeApiTarget(new URL(handler.url)) : undefined;
    if (api) apis.add(stack.formatArn({ service: 'execute-api', region: api.region, resource: api.apiId, resourceName: `${api.stage}/POST/${api.path}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
  }
  if (secrets.size > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [...secrets].sort().map((secret) => secretArn(stack, secret)) }));
  if (apis.size > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: [...apis] }));
}

