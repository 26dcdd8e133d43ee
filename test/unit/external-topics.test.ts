import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../lib/runtime/publishing/publish-errors.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { checkContracts } from '../../lib/topology/contract-checks.ts';
import { defineTopology } from '../../lib/topology/define-topology.ts';
import { externalTopicArn } from '../../lib/topology/naming.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { contractOf } from '../../lib/topology/service-contract.ts';
import type { TopologyDeclaration } from '../../lib/topology/topology-declaration.ts';
import { problemsOf } from '../helpers/topology-factory.ts';

const OrderPlaced = z.object({ orderId: z.string(), totalCents: z.int(), customer: z.object({ id: z.string(), email: z.string() }) });
const OrderCancelled = z.object({ orderId: z.string() });

const orders = defineTopology({
  app: 'orders',
  events: { 'order.placed': { schema: OrderPlaced, version: 2 }, 'order.cancelled': { schema: OrderCancelled } },
  commands: { 'invoice.generate': { schema: OrderCancelled } },
  topics: { orders: { events: ['order.placed', 'order.cancelled'], allowSubscribers: ['222222222222'] } },
  commandHandlers: { 'invoice.generate': { handler: { kind: 'worker' } } },
});
const ordersContract = contractOf(orders, { stages: ['dev', 'prod'] });

const lambda = { kind: 'lambda', entry: 'functions/billing.ts' } as const;

function billing(externalTopic: Record<string, unknown>, events: Record<string, { schema: z.core.$ZodType; version?: number }> = { 'order.placed': ordersContract.events['order.placed'] }) {
  return {
    app: 'billing',
    events,
    topics: {},
    externalTopics: { orders: { service: 'orders', topic: 'orders', events: ['order.placed'], ...externalTopic } },
    subscribers: { charges: { topic: 'orders', events: ['order.placed'], handler: lambda } },
  } as unknown as TopologyDeclaration<any, any, any, any, any, any>;
}


describe('a contract', () => {
  it("holds a service's topics and the events they carry, never its commands, and the stages it deploys", () => {
    expect(ordersContract).toEqual({
      service: 'orders',
      stages: ['dev', 'prod'],
      topics: { orders: { fifo: false, events: ['order.placed', 'order.cancelled'], allowSubscribers: ['222222222222'] } },
      events: { 'order.placed': orders.events['order.placed'], 'order.cancelled': orders.events['order.cancelled'] },
    });
  });
});

describe('an external topic', () => {
  it('by service and topic resolves to the publisher’s topic of the same stage, in this account and region', () => {
    const topology = resolveTopology(billing({}), { stage: 'dev' });
    expect(topology.externalTopics).toEqual([{ id: 'orders', service: 'orders', name: 'orders-dev-orders', arn: undefined, fifo: false, events: ['order.placed'] }]);
    expect(topology.queues[0]!.subscription).toMatchObject({ topicId: 'orders', external: true, filterPolicy: { type: ['order.placed'] } });
    expect(externalTopicArn(topology.externalTopics[0]!, { partition: 'aws', region: 'eu-west-1', account: '111111111111' })).toBe(
      'arn:aws:sns:eu-west-1:111111111111:orders-dev-orders',
    );
  });

  it("maps to another stage of the publisher when it says so, and takes a FIFO topic's name and queue", () => {
    const topology = resolveTopology(billing({ stage: 'prod', fifo: true }), { stage: 'dev' });
    expect(topology.externalTopics[0]).toMatchObject({ name: 'orders-prod-orders.fifo', fifo: true });
    expect(topology.queues[0]).toMatchObject({ name: 'billing-dev-charges.fifo', fifo: true });
  });

  it('by ARN keeps the ARN, in another account or region, and is FIFO when its name ends in .fifo', () => {
    const arn = 'arn:aws:sns:ap-east-1:333333333333:orders-prod-orders.fifo';
    const topology = resolveTopology(billing({ service: undefined, topic: undefined, arn }), { stage: 'dev' });
    expect(topology.externalTopics[0]).toEqual({ id: 'orders', service: undefined, name: 'orders-prod-orders.fifo', arn, fifo: true, events: ['order.placed'] });
    expect(externalTopicArn(topology.externalTopics[0]!, { partition: 'aws', region: 'eu-west-1', account: '111111111111' })).toBe(arn);
  });

  it('refuses each malformed declaration with one line naming it', () => {
    expect(problemsOf(() => resolveTopology(billing({ arn: 'arn:aws:sns:eu-west-1:333333333333:orders-prod-orders' }), { stage: 'dev' }))).toEqual([
      "external topic 'orders': give either arn, or service and topic, not both",
    ]);
    expect(problemsOf(() => resolveTopology(billing({ topic: undefined }), { stage: 'dev' }))).toEqual([
      "external topic 'orders': name the publishing service and its topic (service: 'orders', topic: 'orders'), or give the topic's arn",
    ]);
    expect(problemsOf(() => resolveTopology(billing({ service: undefined, topic: undefined, arn: 'arn:aws:sns:eu-west-1:3:x' }), { stage: 'dev' }))).toEqual([
      'externalTopics.orders.arn: expected an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)',
    ]);
    expect(problemsOf(() => resolveTopology(billing({ service: undefined, topic: undefined, stage: 'prod', fifo: true, arn: 'arn:aws:sns:eu-west-1:333333333333:orders-prod-orders' }), { stage: 'dev' }))).toEqual([
      "external topic 'orders': stage goes with service and topic; an ARN names the topic of one stage already",
      "external topic 'orders': fifo is true but its ARN does not end in '.fifo'; a FIFO topic's name ends in '.fifo'",
    ]);
    expect(problemsOf(() => resolveTopology(billing({ service: 'billing' }), { stage: 'dev' }))).toEqual([
      "external topic 'orders' is a topic of this service ('billing'); subscribe to it under topics, not externalTopics",
    ]);
  });

  it('refuses a name that is no resource name, or the name of an own topic, and an own event it would carry again', () => {
    const declaration = billing({});
    const own = { ...declaration, events: { ...declaration.events, 'charge.made': { schema: OrderCancelled } }, topics: { orders: { events: ['order.placed'] }, charges: { events: ['charge.made'] } } };
    expect(problemsOf(() => resolveTopology(own as never, { stage: 'dev' }))).toEqual([
      "event type 'order.placed' is carried by topic 'orders' and again by external topic 'orders'; this service's own events are its own topics'",
      "external topic 'orders' has the name of one of this service's own topics; subscribers could not tell them apart: rename it",
    ]);
    const badName = { ...declaration, externalTopics: { Orders_Topic: declaration.externalTopics!.orders }, subscribers: { charges: { ...declaration.subscribers!.charges, topic: 'Orders_Topic' } } };
    expect(problemsOf(() => resolveTopology(badName as never, { stage: 'dev' }))).toEqual([
      "external topic 'Orders_Topic': its name must use lower-case letters, digits and hyphens, starting with a letter",
    ]);
  });

  it('refuses a subscriber that wants an event its external topic does not list, and says where such an event goes', () => {
    const declaration = billing({}, { ...ordersContract.events });
    const subscribers = { charges: { topic: 'orders', events: ['order.placed', 'order.cancelled'], handler: lambda } };
    expect(problemsOf(() => resolveTopology({ ...declaration, subscribers } as never, { stage: 'dev' }))).toEqual([
      "event type 'order.cancelled' is carried by no topic; add it to a topic's events, or to an external topic's events if another service publishes it (or name that service's contract)",
      "subscriber 'charges' wants 'order.cancelled', which external topic 'orders' does not list; add it to that topic's events",
    ]);
  });

  it('needs every event it carries declared with a schema, and a FIFO queue exactly when it is FIFO', () => {
    const declaration = billing({ events: ['order.placed', 'order.shipped'] });
    const subscribers = { charges: { topic: 'orders', events: ['order.placed', 'order.cancelled'], handler: lambda, queue: { fifo: true } } };
    expect(problemsOf(() => resolveTopology({ ...declaration, subscribers } as never, { stage: 'dev' }))).toEqual([
      "external topic 'orders' carries event type 'order.shipped', which is not declared; declare it under events with the schema this service reads it by (spread the publisher's contract.events)",
      "subscriber 'charges' wants unknown event type 'order.cancelled'",
      "subscriber 'charges' has a FIFO queue but topic 'orders' is standard; a subscriber's queue is FIFO exactly when its topic is",
    ]);
  });
});

describe('checking a subscriber against its publisher’s contract', () => {
  const check = (externalTopic: Record<string, unknown>, events?: Record<string, { schema: z.core.$ZodType; version?: number }>, stage = 'dev', account?: string) => {
    const declaration = billing({ contract: ordersContract, ...externalTopic }, events);
    return checkContracts(declaration, resolveTopology(declaration, { stage }), account ? { account } : {});
  };

  it('finds nothing when the subscriber spreads the contract’s events and consumes some of them', () => {
    expect(check({}, { ...ordersContract.events })).toEqual({ problems: [], warnings: [] });
  });

  it('names the service, topic and event of each mismatch in one line', () => {
    expect(check({ topic: 'shipments' }).problems).toEqual(["external topic 'orders': service 'orders' has no topic 'shipments' (its contract lists orders)"]);
    expect(check({}, undefined, 'qa').problems).toEqual(["external topic 'orders': service 'orders' has no stage 'qa' (it deploys dev, prod); set the external topic's stage"]);
    expect(check({ stage: 'prod' }, undefined, 'qa').problems).toEqual([]);
    expect(check({ fifo: true }).problems).toEqual(["external topic 'orders': service 'orders' topic 'orders' is standard, declared here as FIFO"]);
    expect(check({ service: 'shipping' }).problems).toEqual(["external topic 'orders' names service 'shipping' but its contract is service 'orders''s; name the contract's service"]);
  });

  it('refuses an event the publisher does not carry', () => {
    const events = { ...ordersContract.events, 'order.refunded': { schema: OrderCancelled } };
    expect(check({ events: ['order.placed', 'order.refunded'] }, events).problems).toEqual([
      "service 'orders' topic 'orders' event 'order.refunded': the publisher does not carry it; remove it from the external topic",
    ]);
  });

  it('warns of a version behind the publisher’s and refuses one ahead', () => {
    expect(check({}, { 'order.placed': { schema: OrderPlaced, version: 1 } })).toEqual({
      problems: [],
      warnings: ["service 'orders' topic 'orders' event 'order.placed': declared here at version 1, the publisher is at version 2; update this service's declaration and handlers"],
    });
    expect(check({}, { 'order.placed': { schema: OrderPlaced, version: 3 } }).problems).toEqual([
      "service 'orders' topic 'orders' event 'order.placed': declared here at version 3, ahead of the publisher's version 2; it would refuse nothing yet but expects fields the publisher does not send",
    ]);
  });

  it('refuses a field the subscriber reads that the publisher’s schema no longer has, nested ones included', () => {
    const older = z.object({ orderId: z.string(), couponCode: z.string(), customer: z.object({ id: z.string(), phone: z.string() }) });
    expect(check({}, { 'order.placed': { schema: older, version: 2 } }).problems).toEqual([
      "service 'orders' topic 'orders' event 'order.placed': this service reads field 'couponCode', which the publisher's schema no longer has",
      "service 'orders' topic 'orders' event 'order.placed': this service reads field 'customer.phone', which the publisher's schema no longer has",
    ]);
    const fewer = z.object({ orderId: z.string() });
    expect(check({}, { 'order.placed': { schema: fewer, version: 2 } }).problems).toEqual([]);
  });

  it('finds a field gone from inside a list, a nullable or optional object, a union, a record and a recursive schema', () => {
    const Line = z.object({ sku: z.string(), quantity: z.int() });
    const Node: z.ZodMiniType = z.object({ name: z.string(), get children() { return z.array(Node); } });
    const publisher = z.object({
      orderId: z.string(),
      lines: z.array(z.object({ sku: z.string() })),
      shipping: z.nullable(z.object({ city: z.string() })),
      payment: z.union([z.object({ kind: z.literal('card'), last4: z.string() }), z.object({ kind: z.literal('invoice') })]),
      tags: z.record(z.string(), z.object({ label: z.string() })),
      tree: z.object({ name: z.string() }),
    });
    const subscriber = z.object({
      orderId: z.string(),
      lines: z.array(Line),
      shipping: z.nullable(z.object({ city: z.string(), zip: z.string() })),
      payment: z.union([z.object({ kind: z.literal('card'), last4: z.string() }), z.object({ kind: z.literal('wallet'), wallet: z.string() })]),
      tags: z.record(z.string(), z.object({ label: z.string(), color: z.string() })),
      tree: Node,
    });
    const events = { 'order.placed': { schema: subscriber, version: 2 } };
    const contract = { ...ordersContract, events: { ...ordersContract.events, 'order.placed': { schema: publisher, version: 2 } } };
    const gone = (field: string) => `service 'orders' topic 'orders' event 'order.placed': this service reads field '${field}', which the publisher's schema no longer has`;
    expect(check({ contract }, events).problems).toEqual([gone('lines[].quantity'), gone('shipping.zip'), gone('payment.wallet'), gone('tags.*.color'), gone('tree.children')]);
  });

  it('finds nothing gone below a field the publisher sends as any value', () => {
    const publisher = z.object({ orderId: z.string(), metadata: z.unknown(), extra: z.record(z.string(), z.unknown()) });
    const subscriber = z.object({ orderId: z.string(), metadata: z.object({ source: z.string() }), extra: z.record(z.string(), z.object({ note: z.string() })) });
    const contract = { ...ordersContract, events: { ...ordersContract.events, 'order.placed': { schema: publisher, version: 2 } } };
    expect(check({ contract }, { 'order.placed': { schema: subscriber, version: 2 } }).problems).toEqual([]);
  });

  it('refuses an account the publisher’s topic does not allow, when the topic is in another account', () => {
    const arn = 'arn:aws:sns:eu-west-1:111111111111:orders-prod-orders';
    const byArn = { service: undefined, topic: undefined, arn };
    expect(check(byArn, undefined, 'dev', '222222222222').problems).toEqual([]);
    expect(check(byArn, undefined, 'dev', '444444444444').problems).toEqual([
      "external topic 'orders': account 444444444444 is not allowed to subscribe to service 'orders' topic 'orders' in account 111111111111; its allowSubscribers must name this account or its organization",
    ]);
    expect(check(byArn, undefined, 'dev', '111111111111').problems).toEqual([]);
  });

  it('tells a topic given by ARN from another whose name ends the same', () => {
    const shop = defineTopology({
      app: 'orders',
      events: { 'order.placed': { schema: OrderPlaced }, 'order.rushed': { schema: OrderCancelled } },
      topics: { orders: { events: ['order.placed'] }, 'rush-orders': { events: ['order.rushed'] } },
    });
    const contract = contractOf(shop, { stages: ['dev', 'prod'] });
    const declaration = {
      app: 'billing',
      events: { ...contract.events },
      topics: {},
      externalTopics: { rush: { arn: 'arn:aws:sns:eu-west-1:111111111111:orders-prod-rush-orders', events: ['order.rushed'], contract } },
      subscribers: { charges: { topic: 'rush', events: ['order.rushed'], handler: lambda } },
    } as unknown as TopologyDeclaration<any, any, any, any, any, any>;
    expect(checkContracts(declaration, resolveTopology(declaration, { stage: 'dev' }))).toEqual({ problems: [], warnings: [] });
  });

  it('reads the stage of a topic given by ARN from its name', () => {
    const arn = 'arn:aws:sns:eu-west-1:111111111111:orders-qa-orders';
    expect(check({ service: undefined, topic: undefined, arn }).problems).toEqual([
      "external topic 'orders': service 'orders' has no stage 'qa' (it deploys dev, prod); set the external topic's stage",
    ]);
  });
});

describe('more checks of the resolved form (the contracts, at synthesis)', () => {
  it("report in the same TopologyError, after the declaration's own problems", () => {
    const declaration = billing({ events: ['order.placed', 'order.shipped'] });
    expect(problemsOf(() => resolveTopology(declaration, { stage: 'dev', moreChecks: (topology) => [`checked ${topology.externalTopics[0]!.name}`] }))).toEqual([
      "external topic 'orders' carries event type 'order.shipped', which is not declared; declare it under events with the schema this service reads it by (spread the publisher's contract.events)",
      'checked orders-dev-orders',
    ]);
  });

  it('do not run on a declaration whose shape is refused, whose message types are then names only', () => {
    let ran = false;
    const refused = { ...billing({}), app: 'Billing' } as never;
    const moreChecks = () => {
      ran = true;
      return [];
    };
    expect(problemsOf(() => resolveTopology(refused, { stage: 'dev', moreChecks }))).toHaveLength(1);
    expect(ran).toBe(false);
  });
});

describe('two queues with one logical id', () => {
  it('are refused, naming both, where their names differ (FIFO and standard)', () => {
    const declaration = {
      app: 'jobs',
      events: {},
      topics: {},
      commands: { 'job.run': { schema: OrderCancelled }, job_run: { schema: OrderCancelled } },
      commandHandlers: { 'job.run': { handler: { kind: 'worker' }, queue: { fifo: true } }, job_run: { handler: { kind: 'worker' } } },
    } as unknown as TopologyDeclaration<any, any, any, any, any, any>;
    expect(problemsOf(() => resolveTopology(declaration, { stage: 'dev' }))).toEqual([
      "command handler of 'job.run' and command handler of 'job_run' both have the queue id 'job-run'; rename one of them",
    ]);
  });
});

describe('publishing an event of an external topic', () => {
  const nowhere = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };
  const subscriber = billing({});

  it('is refused before anything is sent: only the publishing service publishes it', async () => {
    const publisher = new Publisher(subscriber, { stage: 'dev', source: 'test', account: '111111111111', sns: new SNSClient(nowhere), sqs: new SQSClient(nowhere) });
    await expect(publisher.publish('order.placed' as never, { orderId: 'o-1', totalCents: 1, customer: { id: 'c', email: 'e' } } as never, { id: 'e-1' })).rejects.toThrowError(
      "Message e-1 has type 'order.placed', which is carried by another service's topic (external topic 'orders'), which only service 'orders' publishes to.",
    );
  });

  it("goes to that topic when the publisher stands in for its service (the test system's)", async () => {
    const publisher = new Publisher(subscriber, { stage: 'dev', source: 'test', account: '111111111111', standInForPublishers: true, sns: new SNSClient(nowhere), sqs: new SQSClient(nowhere) });
    const failure = await publisher.publish('order.placed' as never, { orderId: 'o-1', totalCents: 1, customer: { id: 'c', email: 'e' } } as never, { id: 'e-2' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as Error).message).toContain('orders-dev-orders');
  });
});
