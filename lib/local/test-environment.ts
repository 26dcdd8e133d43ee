import { DEPLOYED_ENVIRONMENT } from '../messages/wire-contract.ts';

/** What the test systems of a process set in process.env: the code they run makes its clients and publishers from it. */
const VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', DEPLOYED_ENVIRONMENT.stage] as const;

/** The environment as it was before the first running system set it, and the stages of the systems running. */
let lease: { readonly before: Readonly<Record<string, string | undefined>>; readonly stages: string[] } | undefined;

/**
 * Points process.env at a test system's endpoint and stage while it runs, as Lambda and ECS do for the code they
 * run: a Publisher made with no stage then publishes to the system's own stage. Returns the release, which gives
 * POSTBOX_STAGE back to a system still running, and once none runs restores every variable as it was.
 */
export function leaseTestEnvironment(endpoint: string, stage: string): () => void {
  lease ??= { before: Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]])), stages: [] };
  const { stages } = lease;
  stages.push(stage);
  // Any credentials and region do for an emulator; the SDK still insists on some.
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env[DEPLOYED_ENVIRONMENT.stage] = stage;
  let released = false;
  return () => {
    if (released || !lease) return;
    released = true;
    stages.splice(stages.indexOf(stage), 1);
    if (stages.length > 0) {
      process.env[DEPLOYED_ENVIRONMENT.stage] = stages.at(-1);
      return;
    }
    for (const [name, value] of Object.entries(lease.before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    lease = undefined;
  };
}
