/**
 * What a deployed stage is for, which decides what it pays for while idle:
 * - `production`: alarms on every condition and a dashboard, customer-managed KMS keys, workers always ready behind a
 *   NAT gateway, with Container Insights;
 * - `development`: idles near zero (docs/deploying.md has both bills): alarms only where messages are lost (dead letters, publishes that reach no one) and no dashboard, the
 *   AWS-managed SNS key, workers that scale to zero in public subnets with no NAT gateway, no Container Insights.
 */
export type StageProfile = 'production' | 'development';

export const STAGE_PROFILES = ['production', 'development'] as const satisfies readonly StageProfile[];

/**
 * Stage names that read as production: deploying one under the development profile is worth a warning. A part of the
 * name between hyphens is `prod`, `production`, `prd` or `live`, with or without a number: `prod`, `eu-prod`,
 * `prod-eu`, `prod2`.
 */
const PRODUCTION_LIKE = /(^|-)(prod|production|prd|live)\d*(-|$)/;

/**
 * The profile of a stage: the one the config's `stages.profiles` gives it, else `development`: a stage is one of
 * many developers' and branches' unless the config says it is production.
 */
export function stageProfileOf(profiles: Readonly<Record<string, StageProfile>>, stage: string): StageProfile {
  return profiles[stage] ?? 'development';
}

/** A warning when a stage whose name reads as production gets the development profile because the config names none. */
export function implicitDevelopmentWarning(profiles: Readonly<Record<string, StageProfile>>, stage: string): string | undefined {
  if (profiles[stage] !== undefined || !PRODUCTION_LIKE.test(stage)) return undefined;
  return (
    `stage '${stage}' is deployed with the development profile (alarms only on lost messages, workers scaling to zero, no NAT gateway), ` +
    `as the config gives it no profile; if it is production, add \`stages: { profiles: { '${stage}': 'production' } }\` to postbox.config.ts`
  );
}
