import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The rooms of lib/ and what each may import (docs/architecture.md). A room is a folder of lib/ (runtime's are
 * runtime/<folder>); `pure` is the set of rooms with no AWS, CDK or runtime in them.
 */
const pure = ['messages', 'topology', 'retry', 'contracts', 'cost', 'postbox-error.ts'];
const runtime = ['runtime/consuming', 'runtime/publishing', 'runtime/payloads', 'runtime/observability'];
const rules: Record<string, { rooms: readonly string[]; packages: readonly string[] }> = {
  messages: { rooms: pure, packages: [] },
  topology: { rooms: pure, packages: [] },
  retry: { rooms: pure, packages: [] },
  contracts: { rooms: pure, packages: [] },
  cost: { rooms: pure, packages: [] },
  // @smithy/ is the SDK's own layer: its request signer, checksums and types.
  aws: { rooms: pure, packages: ['@aws-sdk/', '@smithy/'] },
  config: { rooms: [...pure, 'runtime/consuming'], packages: [] },
  'runtime/observability': { rooms: pure, packages: ['@opentelemetry/'] },
  'runtime/payloads': { rooms: [...pure, 'aws'], packages: ['@aws-sdk/'] },
  'runtime/publishing': { rooms: [...pure, 'aws', 'runtime/payloads', 'runtime/observability'], packages: ['@aws-sdk/', 'aws-lambda'] },
  'runtime/consuming': { rooms: [...pure, 'aws', ...runtime], packages: ['@aws-sdk/', '@middy/', 'aws-lambda', 'standardwebhooks'] },
  operations: { rooms: [...pure, 'aws', ...runtime], packages: ['@aws-sdk/'] },
  infra: { rooms: [...pure, 'config'], packages: ['aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild'] },
  local: { rooms: [...pure, 'aws', 'config', 'operations', ...runtime], packages: ['@aws-sdk/', 'aws-lambda'] },
  init: { rooms: [...pure, 'config'], packages: [] },
  cli: { rooms: [...pure, 'aws', 'config', 'operations', 'local', 'init', ...runtime], packages: ['@aws-sdk/', 'yaml'] },
};

/** Imports a room makes on purpose across its boundary, each with why. */
const allowed: Record<string, string> = {
  // The outbox table's construct writes the attribute names and metric names its relay reads: one contract.
  'infra/outbox-table.ts -> runtime/publishing/outbox/outbox-item.ts': 'the outbox item contract',
  'infra/outbox-table.ts -> runtime/publishing/outbox/outbox-metrics.ts': 'the outbox metric names',
  // postbox cost reads the stage's template as cdk synth makes it; loaded by that command only.
  'cli/commands/cost-command.ts -> infra/stage-templates.ts': "a stage's synthesized templates",
};

const lib = path.resolve(import.meta.dirname, '../../lib');
const specifier = /(?:^|\n)\s*(?:import|export)(?:\s+type)?[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function roomOf(file: string): string {
  const parts = path.relative(lib, file).split(path.sep);
  if (parts.length === 1) return parts[0]!;
  return parts[0] === 'runtime' && parts.length > 2 ? `runtime/${parts[1]}` : parts[0]!;
}

function sources(): string[] {
  return readdirSync(lib, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every import of lib/ that crosses its room's boundary where the rules above do not let it. */
function crossings(): string[] {
  const found: string[] = [];
  for (const file of sources()) {
    const room = roomOf(file);
    const rule = rules[room];
    if (!rule) continue;
    // Comments left out: a TSDoc @example imports `postbox` as a user would.
    for (const match of readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').matchAll(specifier)) {
      const target = match[1] ?? match[2] ?? match[3]!;
      const from = path.relative(lib, file);
      if (target.startsWith('.')) {
        const resolved = path.resolve(path.dirname(file), target);
        const targetRoom = roomOf(resolved);
        const edge = `${from} -> ${path.relative(lib, resolved)}`;
        if (targetRoom !== room && !rule.rooms.includes(targetRoom) && !(edge in allowed)) found.push(edge);
      } else if (!target.startsWith('node:') && !/^(zod|p-limit|commander)(\/|$)/.test(target) && !rule.packages.some((prefix) => target.startsWith(prefix))) {
        found.push(`${from} -> ${target}`);
      }
    }
  }
  return found;
}

describe('the rooms of lib/', () => {
  it('import only across the boundaries docs/architecture.md draws', () => {
    expect(crossings()).toEqual([]);
  });

  it('has a rule for every room, so a new folder is placed on purpose', () => {
    const rooms = new Set(sources().map(roomOf).filter((room) => !room.endsWith('.ts')));
    expect([...rooms].filter((room) => !(room in rules)).sort()).toEqual([]);
  });
});
