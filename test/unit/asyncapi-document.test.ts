import { Parser, type Diagnostic } from '@asyncapi/parser';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { asyncApiDocument } from '../../lib/contracts/asyncapi-document.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';

const parser = new Parser();
/** What the official parser says is wrong: diagnostics of severity error (0). */
async function errorsOf(document: unknown): Promise<Diagnostic[]> {
  const { diagnostics } = await parser.parse(JSON.stringify(document));
  return diagnostics.filter((diagnostic) => diagnostic.severity === 0);
}

const Entry = z.object({ account: z.string(), cents: z.number().int() });
/** FIFO topics (one deduplicating by content), a FIFO and a standard command queue, Lambda and worker handlers. */
const ledgerTopology = defineTopology({
  app: 'ledger',
  events: { 'entry.posted': { schema: Entry, version: 3 }, 'entry.voided': { schema: Entry }, 'day.closed': { schema: z.object({ day: z.string() }) } },
  commands: { 'entry.post': { schema: Entry }, 'report.render': { schema: z.object({ month: z.string() }), version: 2 } },
  topics: {
    entries: { events: ['entry.posted', 'entry.voided'], fifo: true, contentBasedDeduplication: true },
    days: { events: ['day.closed'], fifo: true },
  },
  subscribers: {
    balances: { topic: 'entries', events: ['entry.posted', 'entry.voided'], handler: { kind: 'lambda', entry: 'functions/billing.ts' } },
    closing: { topic: 'days', events: ['day.closed'], handler: { kind: 'worker', timeoutSeconds: 600 } },
  },
  commandHandlers: {
    'entry.post': { handler: { kind: 'lambda', entry: 'functions/billing.ts' }, queue: { fifo: true } },
    'report.render': { handler: { kind: 'worker' } },
  },
});

describe('asyncApiDocument', () => {
  it('gives the orders example a document the official AsyncAPI parser finds no error in', async () => {
    const document = asyncApiDocument(resolveTopology(ordersTopology, { stage: 'dev' }), { version: '1.2.3' });
    expect(await errorsOf(document)).toEqual([]);
    expect(await errorsOf({ ...document, info: {} }), 'the parser finds errors where there are').not.toEqual([]);
    expect(document).toMatchObject({ asyncapi: '3.0.0', id: 'urn:postbox:orders', info: { title: 'orders', version: '1.2.3' } });
    expect(Object.keys(document.channels)).toEqual(['topic.orders', 'queue.notifications', 'queue.analytics', 'queue.invoice-generate']);
    expect(Object.keys(document.operations)).toEqual([
      'send.topic.orders',
      'receive.queue.notifications',
      'receive.queue.analytics',
      'receive.queue.invoice-generate',
      'send.queue.invoice-generate',
    ]);
    expect(Object.keys(document.components.messages)).toEqual(['order.placed', 'order.cancelled', 'invoice.generate']);
  });

  it('gives a topology with FIFO topics and commands a document the parser finds no error in, with its ordering and queues', async () => {
    const document = asyncApiDocument(resolveTopology(ledgerTopology, { stage: 'prod' }), { version: '0.0.0' });
    expect(await errorsOf(document)).toEqual([]);
    expect(document.channels['topic.entries']).toMatchObject({
      address: 'ledger-prod-entries.fifo',
      bindings: { sns: { name: 'ledger-prod-entries.fifo', ordering: { type: 'FIFO', contentBasedDeduplication: true } } },
    });
    expect(document.channels['queue.entry-post']).toMatchObject({
      address: 'ledger-prod-entry-post.fifo',
      bindings: {
        sqs: {
          queue: { name: 'ledger-prod-entry-post.fifo', fifoQueue: true, redrivePolicy: { deadLetterQueue: { name: 'ledger-prod-entry-post-dlq.fifo' }, maxReceiveCount: 6 } },
          deadLetterQueue: { name: 'ledger-prod-entry-post-dlq.fifo', fifoQueue: true, messageRetentionPeriod: 1_209_600 },
        },
      },
    });
    expect(document.operations['send.queue.report-render']).toMatchObject({ action: 'send', messages: [{ $ref: '#/channels/queue.report-render/messages/report.render' }] });
  });

  it('binds each subscription to its topic: SQS endpoint, the type filter, raw delivery and the delivery DLQ', () => {
    const document = asyncApiDocument(resolveTopology(ordersTopology, { stage: 'dev' }), { version: '1.0.0' });
    const consumers = (document.operations['send.topic.orders'] as { bindings: { sns: { consumers: unknown[] } } }).bindings.sns.consumers;
    expect(consumers).toContainEqual({
      protocol: 'sqs',
      endpoint: { name: 'orders-dev-analytics' },
      filterPolicy: { type: ['order.cancelled'] },
      filterPolicyScope: 'MessageAttributes',
      rawMessageDelivery: true,
      redrivePolicy: { deadLetterQueue: { name: 'orders-dev-analytics-delivery-dlq' } },
    });
  });

  it('describes each message as a CloudEvent with its data schema and dataschema, its type as a message attribute header', () => {
    const document = asyncApiDocument(resolveTopology(ledgerTopology, { stage: 'dev' }), { version: '1.0.0' });
    const message = document.components.messages['entry.posted'] as Record<string, any>;
    expect(message.headers.schema).toMatchObject({ properties: { type: { const: 'entry.posted' }, kind: { const: 'event' } }, required: ['type'] });
    expect(message.payload.schemaFormat).toBe('application/schema+json;version=draft-07');
    expect(message.payload.schema.properties).toMatchObject({
      specversion: { const: '1.0' },
      type: { const: 'entry.posted' },
      dataschema: { const: 'urn:postbox:ledger:entry.posted:3' },
      dataversion: { type: 'integer', minimum: 1, maximum: 3 },
      data: { type: 'object', properties: { account: { type: 'string' }, cents: { type: 'integer' } }, required: ['account', 'cents'] },
    });
    expect(message.payload.schema.required).toEqual(['specversion', 'id', 'source', 'type', 'data']);
    expect((document.components.messages['report.render'] as Record<string, any>).headers.schema.properties.kind).toEqual({ type: 'string', const: 'command' });
  });

  it('adds the external topics it subscribes to, and the accounts allowed to subscribe to its own', async () => {
    const billing = defineTopology({
      app: 'billing',
      events: { 'order.placed': { schema: Entry, version: 2 }, 'partner.paid': { schema: Entry }, 'invoice.sent': { schema: Entry } },
      topics: { invoices: { events: ['invoice.sent'], allowSubscribers: ['111122223333', 'o-abc123def4'] } },
      externalTopics: {
        orders: { service: 'orders', topic: 'orders', events: ['order.placed'] },
        partner: { arn: 'arn:aws:sns:eu-west-1:444455556666:partner-prod-feed', events: ['partner.paid'] },
      },
      subscribers: {
        invoicing: { topic: 'orders', events: ['order.placed'], handler: { kind: 'lambda', entry: 'functions/billing.ts' } },
        payments: { topic: 'partner', events: ['partner.paid'], handler: { kind: 'worker' } },
      },
    });
    const withExternal = resolveTopology(billing, { stage: 'dev' });
    const document = asyncApiDocument(withExternal, { version: '1.0.0' });
    expect(await errorsOf(document)).toEqual([]);
    expect(Object.keys(document.channels)).toEqual(['topic.invoices', 'topic.orders', 'topic.partner', 'queue.invoicing', 'queue.payments']);
    expect(document.channels['topic.partner']).toMatchObject({
      address: 'partner-prod-feed',
      description: 'SNS topic arn:aws:sns:eu-west-1:444455556666:partner-prod-feed of another service, which billing subscribes to.',
    });
    expect(document.operations['receive.topic.orders']).toMatchObject({
      action: 'receive',
      messages: [{ $ref: '#/channels/topic.orders/messages/order.placed' }],
      bindings: { sns: { consumers: [{ protocol: 'sqs', endpoint: { name: 'billing-dev-invoicing' }, filterPolicy: { type: ['order.placed'] } }] } },
    });
    expect(document.operations['send.topic.orders']).toBeUndefined();
    expect((document.channels['topic.invoices'] as Record<string, any>).bindings.sns.policy.statements).toEqual([
      { effect: 'Allow', principal: '111122223333', action: 'sns:Subscribe', condition: { StringEquals: { 'sns:Protocol': 'sqs' } } },
      { effect: 'Allow', principal: '*', action: 'sns:Subscribe', condition: { StringEquals: { 'sns:Protocol': 'sqs', 'aws:PrincipalOrgID': ['o-abc123def4'] } } },
    ]);
    // The publisher of an event is its owner in dataschema; unknown for a topic known by ARN only.
    const dataschemaOf = (type: string) => (document.components.messages[type] as Record<string, any>).payload.schema.properties.dataschema;
    expect(dataschemaOf('order.placed')).toMatchObject({ const: 'urn:postbox:orders:order.placed:2' });
    expect(dataschemaOf('partner.paid')).toBeUndefined();
    expect(dataschemaOf('invoice.sent')).toMatchObject({ const: 'urn:postbox:billing:invoice.sent:1' });
  });
});
