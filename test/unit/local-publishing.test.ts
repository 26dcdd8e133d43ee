import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { LocalPublishing, MessageDataError, NotPublishableError } from '../../lib/local/local-publishing.ts';
import { formFields } from '../../lib/local/schema-form.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';

// Nothing is sent in these tests: any call to SNS or SQS fails them.
const refuse = { send: () => Promise.reject(new Error('nothing should be sent')) };
const publishing = new LocalPublishing([{ declaration: ordersTopology, topology: resolveTopology(ordersTopology, { stage: 'unit' }) }], {
  sns: refuse as unknown as SNSClient,
  sqs: refuse as unknown as SQSClient,
});

describe("the console's publishing", () => {
  it('lists the events of its topics and the commands of its command queues, each with a form from its JSON Schema', () => {
    const types = publishing.types();
    expect(types.map(({ type, kind, destination }) => ({ type, kind, destination }))).toEqual([
      { type: 'order.placed', kind: 'event', destination: 'orders-unit-orders' },
      { type: 'order.cancelled', kind: 'event', destination: 'orders-unit-orders' },
      { type: 'invoice.generate', kind: 'command', destination: 'orders-unit-invoice-generate' },
    ]);
    expect(types[0]!.fields).toEqual([
      { name: 'orderId', input: 'text', required: true, hint: 'text of at least 1 character' },
      { name: 'customerId', input: 'text', required: true, hint: 'text of at least 1 character' },
      { name: 'totalCents', input: 'number', required: true, hint: 'a whole number ≥ 0' },
      { name: 'currency', input: 'text', required: true, hint: 'text of exactly 3 characters' },
    ]);
    expect(types[0]!.schema).toMatchObject({ type: 'object', required: ['orderId', 'customerId', 'totalCents', 'currency'] });
  });

  it('refuses data that does not match the schema before sending anything, naming each field at fault', async () => {
    const refused = await publishing.publish('order.placed', { orderId: 'o-1', customerId: '', totalCents: -5, currency: 'EUR' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MessageDataError);
    expect((refused as MessageDataError).code).toBe('INVALID_MESSAGE_DATA');
    expect((refused as MessageDataError).issues.map((issue) => issue.field)).toEqual(['customerId', 'totalCents']);
    expect((refused as Error).message).toMatch(/^order\.placed was not published: its data does not match its schema \(customerId: .*; totalCents: .*\); correct it and publish again$/);
  });

  it('refuses a type no service here publishes, and names those it can', async () => {
    await expect(publishing.publish('order.shipped', {})).rejects.toThrow(NotPublishableError);
    await expect(publishing.publish('order.shipped', {})).rejects.toThrow(/the types it can are: order\.placed, order\.cancelled, invoice\.generate$/);
  });
});

describe('the form of a schema', () => {
  it('has a choice for enums, constants and booleans, optional where the schema says so', () => {
    const schema = z.object({ currency: z.enum(['EUR', 'USD']), express: z.optional(z.boolean()), kind: z.literal('gift') });
    expect(formFields(z.toJSONSchema(schema, { io: 'input' }) as never)).toEqual([
      { name: 'currency', input: 'choice', required: true, options: ['EUR', 'USD'], hint: 'pick one' },
      { name: 'express', input: 'choice', required: false, options: [true, false], hint: 'pick one, or leave it unset' },
      { name: 'kind', input: 'choice', required: true, options: ['gift'], hint: 'pick one' },
    ]);
  });

  it('is none for nested objects, lists and nullable values, which are edited as JSON', () => {
    for (const schema of [z.object({ address: z.object({ city: z.string() }) }), z.object({ lines: z.array(z.string()) }), z.object({ note: z.nullable(z.string()) }), z.array(z.string())]) {
      expect(formFields(z.toJSONSchema(schema, { io: 'input' }) as never)).toBeUndefined();
    }
  });
});
