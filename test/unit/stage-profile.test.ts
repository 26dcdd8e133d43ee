import { describe, expect, it } from 'vitest';
import { postboxConfigSchema } from '../../lib/config/postbox-config.ts';
import { implicitDevelopmentWarning, stageProfileOf } from '../../lib/config/stage-profile.ts';

describe('the cost profile of a stage', () => {
  const profiles = { prod: 'production', staging: 'production' } as const;

  it('is the one the config names for the stage, else development', () => {
    expect(stageProfileOf(profiles, 'prod')).toBe('production');
    expect(stageProfileOf(profiles, 'staging')).toBe('production');
    expect(stageProfileOf(profiles, 'dev')).toBe('development');
    expect(stageProfileOf(profiles, 'feature-42')).toBe('development');
    expect(stageProfileOf({}, 'prod')).toBe('development');
  });

  it('warns when a stage whose name reads as production gets development because the config names it nowhere', () => {
    expect(implicitDevelopmentWarning({}, 'prod')).toMatch(/^stage 'prod' is deployed with the development profile .*stages: \{ profiles: \{ 'prod': 'production' \} \}/);
    expect(implicitDevelopmentWarning({}, 'production-eu')).toBeDefined();
    expect(implicitDevelopmentWarning({}, 'live')).toBeDefined();
    expect(implicitDevelopmentWarning(profiles, 'prod')).toBeUndefined();
    expect(implicitDevelopmentWarning({ prod: 'development' }, 'prod')).toBeUndefined();
    expect(implicitDevelopmentWarning({}, 'dev')).toBeUndefined();
    expect(implicitDevelopmentWarning({}, 'product-team')).toBeUndefined();
    // Any part of the name between hyphens, with or without a number (a new user's trial found eu-prod and prod2 missed).
    for (const stage of ['eu-prod', 'prod2', 'eu-prd-1', 'us-live']) expect(implicitDevelopmentWarning({}, stage), stage).toBeDefined();
    for (const stage of ['produce', 'livestock', 'preprod']) expect(implicitDevelopmentWarning({}, stage), stage).toBeUndefined();
  });

  it('is validated in postbox.config.ts: a known profile for a valid stage name', () => {
    const parse = (profiles: unknown) => postboxConfigSchema.safeParse({ topology: './t.ts', stages: { profiles } });
    expect(parse({ prod: 'production' }).data?.stages.profiles).toEqual({ prod: 'production' });
    expect(postboxConfigSchema.parse({ topology: './t.ts' }).stages.profiles).toEqual({});
    expect(parse({ prod: 'staging' }).error?.issues[0]).toMatchObject({ path: ['stages', 'profiles', 'prod'] });
    expect(parse({ Prod_1: 'production' }).error?.issues[0]).toMatchObject({
      path: ['stages', 'profiles', 'Prod_1'],
      message: "'Prod_1' is not a stage name: use lower-case letters, digits and hyphens, starting with a letter",
    });
  });
});
