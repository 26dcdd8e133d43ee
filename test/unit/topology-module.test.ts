import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config/config-error.ts';
import { topologyOfModule } from '../../lib/config/topology-module.ts';
import { aTopology } from '../helpers/topology-factory.ts';

const shop = aTopology();
const other = aTopology({ app: 'other' });

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('topologyOfModule', () => {
  it('takes the default export first, even beside named topologies', () => {
    expect(topologyOfModule({ default: shop, other }, 'topology.ts')).toBe(shop);
  });

  it('takes the one named export that is a topology, whatever else the module exports', () => {
    expect(topologyOfModule({ shop, Data: { schema: 1 }, version: 2 }, 'topology.ts')).toBe(shop);
  });

  it('takes the export named after #, and says so when that one is no topology', () => {
    expect(topologyOfModule({ shop, other }, 'topology.ts#other', 'other')).toBe(other);
    expect(configErrorOf(() => topologyOfModule({ shop, other: 42 }, 'topology.ts#other', 'other')).message).toMatch(
      /topology\.ts#other exports no topology named 'other'; name an export that defineTopology made/,
    );
  });

  it('refuses two topologies without a default, naming both and how to pick one', () => {
    expect(configErrorOf(() => topologyOfModule({ shop, other }, 'topology.ts')).message).toMatch(
      /topology\.ts exports 2 topologies \(shop, other\); name one as topology\.ts#name/,
    );
  });

  it('refuses a module with no topology, saying what to export', () => {
    expect(configErrorOf(() => topologyOfModule({ version: 1 }, 'topology.ts')).message).toMatch(/topology\.ts exports no topology; export the one defineTopology made/);
  });
});
