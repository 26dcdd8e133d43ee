import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../lib/cli/postbox-cli.ts';

const temporary: string[] = [];
function directory(parent = os.tmpdir()): string {
  const made = mkdtempSync(path.join(parent, 'postbox-docs-'));
  temporary.push(made);
  return made;
}
afterEach(() => {
  for (const made of temporary.splice(0)) rmSync(made, { recursive: true, force: true });
});

/** `postbox …` in-process, in this repository: its config is the orders example's. */
async function postbox(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (text) => out.push(text), err: (text) => err.push(text), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const parser = new Parser();

describe('postbox docs --json-schema', () => {
  it("writes one file per event of the service's topics, named by type and version, its $id the events' dataschema", async () => {
    const out = path.join(directory(), 'contracts');
    const result = await postbox(['docs', '--json-schema', '--out', out]);
    expect(result).toEqual({
      code: 0,
      err: '',
      out: [
        `wrote ${path.join(out, 'order.placed.v1.schema.json')} (urn:postbox:orders:order.placed:1)`,
        `wrote ${path.join(out, 'order.cancelled.v1.schema.json')} (urn:postbox:orders:order.cancelled:1)`,
      ].join('\n'),
    });
    expect(readdirSync(out).sort()).toEqual(['order.cancelled.v1.schema.json', 'order.placed.v1.schema.json']);
    const schema = JSON.parse(readFileSync(path.join(out, 'order.cancelled.v1.schema.json'), 'utf8'));
    expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'urn:postbox:orders:order.cancelled:1', title: 'order.cancelled' });
  });

  it('prints the schemas as one JSON array without --out', async () => {
    const result = await postbox(['--topology', 'test/helpers/payments-topology.ts', 'docs', '--json-schema']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).map((schema: { $id: string }) => schema.$id)).toEqual([
      'urn:postbox:pay:payment.received:1',
      'urn:postbox:pay:payment.refunded:1',
      'urn:postbox:pay:ledger.entry:1',
    ]);
  });
});

describe('postbox docs --asyncapi', () => {
  it('writes the YAML document of the orders example, which the official parser finds no error in', async () => {
    const file = path.join(directory(), 'docs', 'asyncapi.yaml');
    const result = await postbox(['docs', '--asyncapi', '--out', file]);
    expect(result).toEqual({ code: 0, err: '', out: `wrote ${file} (AsyncAPI 3.0, yaml: 4 channels, 5 operations, 3 messages)` });
    const text = readFileSync(file, 'utf8');
    expect(parseYaml(text)).toMatchObject({ asyncapi: '3.0.0', info: { title: 'orders', version: '0.1.0' } });
    expect(text).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
    const { diagnostics } = await parser.parse(text);
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0)).toEqual([]);
  });

  it('prints JSON with --format json, or for an --out ending in .json, at the stage asked for', async () => {
    const printed = await postbox(['--topology', 'test/helpers/payments-topology.ts', '--stage', 'prod', 'docs', '--asyncapi', '--format', 'json']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.out).channels['topic.ledger']).toMatchObject({ address: 'pay-prod-ledger.fifo' });
    const file = path.join(directory(), 'asyncapi.json');
    expect((await postbox(['docs', '--asyncapi', '--out', file])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ asyncapi: '3.0.0' });
  });
});

describe('postbox docs option validation', () => {
  it.each([
    [['docs'], 'postbox: docs needs --json-schema or --asyncapi'],
    [['docs', '--json-schema', '--asyncapi'], 'postbox: --json-schema and --asyncapi write different things; run docs once for each'],
    [['docs', '--asyncapi', '--format', 'xml'], "postbox: --format 'xml' is not one of yaml, json"],
    [['docs', '--json-schema', '--format', 'json'], 'postbox: --format applies to --asyncapi only; --json-schema writes JSON'],
    [['docs', '--json-schema', '--out', ''], 'postbox: --out is empty; name a directory (--json-schema) or a file (--asyncapi)'],
    [['docs', '--json-schema', '--out', 'package.json'], 'postbox: --out package.json is a file; --json-schema writes one file per event into a directory'],
    [['docs', '--asyncapi', '--out', 'lib'], `postbox: --out lib is a directory; --asyncapi writes one file, such as ${path.join('lib', 'asyncapi.yaml')}`],
  ])('refuses %j with exit 2 and one line', async (args, expected) => {
    expect(await postbox(args)).toEqual({ code: 2, out: '', err: expected });
  });

  it('refuses, with exit 2 and one line naming the event, a topology whose schema JSON Schema cannot say', async () => {
    const module = path.join(directory(path.resolve('test')), 'dated-topology.ts');
    writeFileSync(
      module,
      `import * as z from 'zod';\nimport { defineTopology } from '../../lib/topology/define-topology.ts';\n` +
        `export default defineTopology({ app: 'dated', events: { 'day.closed': { schema: z.object({ at: z.date() }) } }, topics: { days: { events: ['day.closed'] } } });\n`,
    );
    const result = await postbox(['--topology', module, 'docs', '--json-schema']);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^postbox: The schema of 'day.closed' cannot be written as JSON Schema \(/);
  });
});
