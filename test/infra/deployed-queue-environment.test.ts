import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { MessagingStack } from '../../lib/infra/messaging-stack.ts';
import { DEPLOYED_ENVIRONMENT } from '../../lib/messages/wire-contract.ts';
import { appWithoutBundling } from '../helpers/cdk.ts';
import { aTopology } from '../helpers/topology-factory.ts';

/** Lambda refuses a function whose environment (names and values, in bytes) passes 4 KB. */
const LAMBDA_ENVIRONMENT_BYTES = 4096;

type Resource = { Properties: { Environment: { Variables: Record<string, unknown> } } };

const Data = z.object({ id: z.string() });
// A subscriber of as many event types as its function's description holds (256 characters).
const types = Array.from({ length: 6 }, (_, index) => `inventory.item-quantity-changed-${index}`);
const topology = aTopology({
  events: Object.fromEntries(types.map((type) => [type, { schema: Data }])),
  commands: {},
  topics: { items: { events: types } },
  subscribers: { ledger: { topic: 'items', events: types, handler: { kind: 'lambda', entry: 'functions/notifications.ts' } } },
  commandHandlers: {},
});

describe("a Lambda consumer's environment with its queue resolved at synthesis (POSTBOX_RESOLVED_QUEUE)", () => {
  it("stays within Lambda's 4 KB with the function's own variables, which fit beside Postbox's before it", () => {
    // 2,800 bytes of the service's own configuration: Postbox's other variables leave room for it.
    const own = { APP_CONFIG: JSON.stringify({ flags: 'x'.repeat(2775) }) };
    const stack = new MessagingStack(appWithoutBundling(), 'shop-dev', {
      topology,
      stage: 'dev',
      env: { account: '111111111111', region: 'eu-west-1' },
      overrides: { functionProps: { environment: own } },
    });
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as Resource[];
    const variables = fn!.Properties.Environment.Variables;
    expect(variables.APP_CONFIG).toBe(own.APP_CONFIG);
    // A lower bound: the queue URLs (still tokens here) are counted as empty.
    const bytesOf = (entries: Array<[string, unknown]>) => entries.reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : 0), 0);
    const bytes = bytesOf(Object.entries(variables));
    // Without the resolved queue, it fits with room for the two queue URLs (about 150 bytes each).
    expect(bytes - bytesOf([[DEPLOYED_ENVIRONMENT.resolvedQueue, variables[DEPLOYED_ENVIRONMENT.resolvedQueue]]])).toBeLessThan(LAMBDA_ENVIRONMENT_BYTES - 400);
    expect(bytes).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_BYTES);
  });
});
