import { ConfigError } from './config-error.ts';
import { resourceNamePattern } from '../topology/topology-schema.ts';
import { alarmEmailSchema } from './postbox-config.ts';

/** `-c alarmEmail=...` of `cdk synth` and `cdk deploy`, checked as the config's own address is; undefined when not given. */
export function alarmEmailOfContext(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && alarmEmailSchema.safeParse(value).success) return value;
  throw new ConfigError(
    'CONFIG_INVALID',
    `context 'alarmEmail' is '${String(value)}', not an e-mail address; pass -c alarmEmail=ops@example.com, or leave it out to use the config's`,
  );
}

/** `-c stage=...` of `cdk synth` and `cdk deploy`, else `fallback` (the config's deployed stage), checked as a stage name. */
export function stageOfContext(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && resourceNamePattern.test(value)) return value;
  throw new ConfigError(
    'CONFIG_INVALID',
    `context 'stage' is '${String(value)}', not a stage name: use lower-case letters, digits and hyphens, starting with a letter (-c stage=prod)`,
  );
}
