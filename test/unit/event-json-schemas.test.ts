import { Ajv2020 } from 'ajv/dist/2020.js';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { eventJsonSchemas } from '../../lib/contracts/event-json-schemas.ts';
import { SchemaExportError } from '../../lib/contracts/schema-export-error.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { aTopology } from '../helpers/topology-factory.ts';

describe('eventJsonSchemas', () => {
  it("writes one draft 2020-12 schema per event of the service's topics, its $id the event's dataschema, and none for commands", () => {
    const schemas = eventJsonSchemas(resolveTopology(ordersTopology, { stage: 'dev' }));
    expect(schemas.map(({ type, version, id, fileName }) => ({ type, version, id, fileName }))).toEqual([
      { type: 'order.placed', version: 1, id: 'urn:postbox:orders:order.placed:1', fileName: 'order.placed.v1.schema.json' },
      { type: 'order.cancelled', version: 1, id: 'urn:postbox:orders:order.cancelled:1', fileName: 'order.cancelled.v1.schema.json' },
    ]);
    expect(schemas[0]!.schema).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:postbox:orders:order.placed:1',
      title: 'order.placed',
      description: 'A customer placed an order.',
      type: 'object',
      properties: {
        orderId: { type: 'string', minLength: 1 },
        customerId: { type: 'string', minLength: 1 },
        totalCents: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        currency: { type: 'string', minLength: 3, maxLength: 3 },
      },
      required: ['orderId', 'customerId', 'totalCents', 'currency'],
    });
  });

  it('gives schemas that a JSON Schema validator of another stack (ajv, strict) loads and applies as zod does, from zod/mini and zod alike', () => {
    const ajv = new Ajv2020({ strict: true });
    // orders' schemas are written with zod/mini, payments' with zod.
    for (const topology of [ordersTopology, paymentsTopology]) ajv.addSchema(eventJsonSchemas(resolveTopology(topology, { stage: 'dev' })).map((event) => event.schema));
    const placed = ajv.getSchema('urn:postbox:orders:order.placed:1')!;
    expect(placed({ orderId: 'o-1', customerId: 'c-1', totalCents: 0, currency: 'EUR', note: 'a field consumers do not read yet' })).toBe(true);
    expect(placed({ orderId: 'o-1', customerId: 'c-1', totalCents: -1, currency: 'EURO' })).toBe(false);
    expect(placed.errors!.map((error) => error.instancePath)).toEqual(['/totalCents']);
    const received = ajv.getSchema('urn:postbox:pay:payment.received:1')!;
    expect(received({ paymentId: 'p-1', amountCents: 1 })).toBe(true);
    expect(received({ paymentId: 'p-1', amountCents: 0 })).toBe(false);
    expect(ajv.getSchema('urn:postbox:pay:report.build:1')).toBeUndefined();
  });

  it('describes what a consumer accepts: a field with a default may be left out', () => {
    const topology = aTopology({ events: { 'item.added': { schema: z.object({ id: z.string(), quantity: z.number().default(1) }), version: 2 } }, topics: { items: { events: ['item.added'] } }, subscribers: {}, commands: {}, commandHandlers: {} });
    const [schema] = eventJsonSchemas(resolveTopology(topology, { stage: 'dev' }));
    expect(schema!.id).toBe('urn:postbox:shop:item.added:2');
    expect(schema!.schema.required).toEqual(['id']);
  });

  it('refuses, naming the event, a schema that JSON Schema cannot say', () => {
    const topology = aTopology({ events: { 'item.added': { schema: z.object({ at: z.date() }) } }, topics: { items: { events: ['item.added'] } }, subscribers: {}, commands: {}, commandHandlers: {} });
    const error = (() => {
      try {
        eventJsonSchemas(resolveTopology(topology, { stage: 'dev' }));
      } catch (caught) {
        return caught as SchemaExportError;
      }
      throw new Error('exported');
    })();
    expect(error).toBeInstanceOf(SchemaExportError);
    expect(error.code).toBe('SCHEMA_NOT_EXPORTABLE');
    expect(error.message).toMatch(/^The schema of 'item.added' cannot be written as JSON Schema \(.*Date.*\); a message travels as JSON, so give its schema JSON types only/);
  });
});
