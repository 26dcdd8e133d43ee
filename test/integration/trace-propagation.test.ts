import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from 'postbox/testing';
import { parseTraceparent } from '../../lib/runtime/observability/trace-context.ts';
import { seenTraces } from '../fixtures/tracing-service/seen-traces.ts';

const config = fileURLToPath(new URL('../fixtures/tracing-service/postbox.config.ts', import.meta.url));
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('one trace across services: publisher → SNS → SQS → Lambda handler → follow-up publish → SNS → SQS → worker', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({ config });
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function traceThrough(orderId: string) {
    await system.waitFor(`invoice-${orderId}`);
    const billing = parseTraceparent(seenTraces.get(`billing/${orderId}`)?.traceparent);
    const mailer = parseTraceparent(seenTraces.get(`mailer/${orderId}`)?.traceparent);
    return { billing: billing!, mailer: mailer!, mailerState: seenTraces.get(`mailer/${orderId}`)?.tracestate };
  }

  it("keeps the publisher's trace id and tracestate through both handlers, each hop a span of its own", async () => {
    const parent = { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`, tracestate: 'shop=checkout' };
    const placed = await system.publish('order.placed', { orderId: 'o-1' }, { traceContext: parent });
    expect(await system.waitFor(placed.id)).toEqual([{ queue: 'billing', messageType: 'order.placed', status: 'handled', attempts: 1 }]);
    const { billing, mailer, mailerState } = await traceThrough('o-1');
    expect(billing.traceId).toBe(TRACE_ID);
    expect(mailer.traceId).toBe(TRACE_ID);
    expect(mailerState).toBe('shop=checkout');
    expect(new Set(['00f067aa0ba902b7', billing.spanId, mailer.spanId]).size).toBe(3);
  });

  it('starts a trace at a publish outside any trace, and both handlers join it', async () => {
    await system.publish('order.placed', { orderId: 'o-2' });
    const { billing, mailer } = await traceThrough('o-2');
    expect(billing.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(mailer.traceId).toBe(billing.traceId);
    expect(billing.traceId).not.toBe(TRACE_ID);
  });

  it('starts a new trace for a plain SNS publish whose traceparent is invalid, and the follow-up joins it', async () => {
    const topic = system.topology.topics.find((candidate) => candidate.id === 'orders')!;
    // CreateTopic of an existing name answers its ARN.
    const arn = (await system.clients.sns.send(new CreateTopicCommand({ Name: topic.name }))).TopicArn;
    await system.clients.sns.send(
      new PublishCommand({
        TopicArn: arn,
        Message: JSON.stringify({ orderId: 'o-3' }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' }, traceparent: { DataType: 'String', StringValue: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` } },
      }),
    );
    const { billing, mailer } = await traceThrough('o-3');
    expect(billing.traceId).not.toBe('0'.repeat(32));
    expect(mailer.traceId).toBe(billing.traceId);
  });
});
