import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lambdaHandlerSchema, queueSettingsSchema, workerHandlerSchema } from '../../lib/topology/topology-schema.ts';

const topologyDoc = readFileSync('docs/topology.md', 'utf8');
const documented = (section: string) => topologyDoc.slice(topologyDoc.indexOf(section)).split('\n\n|')[1] ?? '';

describe('the handler and queue settings in docs/topology.md', () => {
  it.each([
    ['A `lambda` handler:', lambdaHandlerSchema],
    ['A `worker` handler', workerHandlerSchema],
    ['`queue`:', queueSettingsSchema],
  ] as const)('names every key of %s', (section, schema) => {
    const keys = Object.keys(schema()._zod.def.shape).filter((key) => key !== 'kind');
    const table = documented(section);
    expect(keys.filter((key) => !table.includes(`| \`${key}\` |`))).toEqual([]);
  });
});
