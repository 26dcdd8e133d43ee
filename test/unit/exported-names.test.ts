import { describe, expect, it } from 'vitest';

/**
 * The names each package entry exports, pinned: adding or removing one is a change to the public surface, made
 * on purpose here (and in CHANGELOG.md), never by the way. Types are erased at run time; `tsc` checks those.
 */
const entries = {
  postbox: () => import('../../lib/index.ts'),
  'postbox/cdk': () => import('../../lib/cdk.ts'),
  'postbox/testing': () => import('../../lib/testing.ts'),
  'postbox/cli': () => import('../../lib/cli.ts'),
  'postbox/worker': () => import('../../lib/worker.ts'),
};

describe('the public surface', () => {
  it.each(Object.entries(entries))('%s exports exactly the names pinned here', async (_entry, load) => {
    expect(Object.keys(await load()).sort()).toMatchSnapshot();
  });
});
