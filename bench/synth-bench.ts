import { MessagingStack } from '../lib/infra/messaging-stack.ts';
import { MAX_STACK_RESOURCES, resourcesOf } from '../lib/infra/resource-limit.ts';
import { appWithoutBundling } from '../test/helpers/cdk.ts';
import { aBigTopology } from '../test/helpers/topology-factory.ts';
import { median } from './spread.ts';

type Compare = (what: string, ours: number, peerName: string, peer: number, unit: string, target?: { ratio: number; higherIsBetter: boolean }) => void;

/** Stack groups of the bench: about 12 handlers a group at 300 subscribers + 100 commands. */
const STACK_GROUPS = 32;
const env = { account: '111111111111', region: 'eu-west-1' };

interface SynthFigures {
  /** CPU time of building and synthesizing (user + system): steadier than wall time on a shared machine. */
  readonly ms: number;
  readonly wallMs: number;
  readonly handlers: number;
  readonly parentResources: number;
  readonly groupResources: readonly number[];
}

/** Builds and synthesizes the stack (templates, no esbuild: bundling is the bundle bench's) and counts each stack's resources. */
function synthesize(subscribers: number, commands: number, stackGroups: number | undefined): SynthFigures {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const app = appWithoutBundling();
  const stack = new MessagingStack(app, 'big-bench', { topology: aBigTopology({ subscribers, commands }), stage: 'bench', env, ...(stackGroups && { stackGroups }) });
  app.synth();
  const used = process.cpuUsage(cpu);
  const ms = (used.user + used.system) / 1000;
  const wallMs = performance.now() - started;
  const groupResources = [...stack.groups.values()].map((group) => resourcesOf(group));
  return { ms, wallMs, handlers: subscribers + commands, parentResources: resourcesOf(stack), groupResources };
}

function medianSynth(subscribers: number, commands: number, stackGroups: number | undefined, rounds: number): SynthFigures {
  const runs = Array.from({ length: rounds }, () => synthesize(subscribers, commands, stackGroups));
  return { ...runs[0]!, ms: median(runs.map((run) => run.ms)), wallMs: median(runs.map((run) => run.wallMs)) };
}

/**
 * `npm run bench`, synthesis: time and resources per stack of a topology of Lambda handlers sharing one entry, at
 * 10, 100 and 300 subscribers (+ 100 commands) in 32 stack groups, and at 10 and 25 in one stack as they are
 * today. Targets: every stack under CloudFormation's 500 resources, and synthesis linear in the handlers (time per
 * handler at 400 at most 1.5× that at 100).
 */
export function benchSynth(compare: Compare): void {
  console.log(`7/7 synth: Lambda subscribers over 10 topics, one shared entry file, ${STACK_GROUPS} stack groups; median of 3 syntheses (1 at 400 handlers), no bundling; CPU time (wall time)…`);
  // A first synthesis loads CDK's modules; it is not counted.
  synthesize(10, 0, STACK_GROUPS);
  const single10 = medianSynth(10, 0, undefined, 3);
  const single25 = medianSynth(25, 0, undefined, 3);
  const sizes = [medianSynth(10, 0, STACK_GROUPS, 3), medianSynth(100, 0, STACK_GROUPS, 3), medianSynth(300, 0, STACK_GROUPS, 3), medianSynth(300, 100, STACK_GROUPS, 1)];
  const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  for (const [name, run] of [['one stack, 10 subscribers', single10], ['one stack, 25 subscribers', single25]] as const) {
    console.log(`   ${name.padEnd(44)} ${fmt(run.ms).padStart(6)} ms (${fmt(run.wallMs)}), ${run.parentResources} resources`);
  }
  const labels = ['10 subscribers', '100 subscribers', '300 subscribers', '300 subscribers + 100 commands'];
  sizes.forEach((run, index) => {
    const groups = run.groupResources;
    console.log(
      `   ${`groups, ${labels[index]}`.padEnd(44)} ${fmt(run.ms).padStart(6)} ms (${fmt(run.wallMs)}), ${fmt(run.ms / run.handlers, 1)} ms per handler, ` +
        `parent ${run.parentResources} resources, ${groups.length} groups of ${Math.min(...groups)}–${Math.max(...groups)} resources`,
    );
  });
  const all = sizes.at(-1)!;
  const largest = Math.max(all.parentResources, ...all.groupResources);
  const everyStackUnder = sizes.every((run) => Math.max(run.parentResources, ...run.groupResources) < MAX_STACK_RESOURCES);
  console.log(`   every stack < ${MAX_STACK_RESOURCES} resources at every size: ${everyStackUnder ? 'met' : 'NOT met'}`);
  compare('largest stack, 300 subscribers + 100 commands', largest, "CloudFormation's limit", MAX_STACK_RESOURCES, 'resources', { ratio: 0.998, higherIsBetter: false });
  const perHandler100 = sizes[1]!.ms / sizes[1]!.handlers;
  compare('synth CPU time per handler at 400 handlers', all.ms / all.handlers, 'per handler at 100', perHandler100, 'ms', { ratio: 1.5, higherIsBetter: false });
  // Resources a Lambda subscriber adds: one stack from 10 to 25, a stack group from 100 to 300.
  const perSubscriberSingle = (single25.parentResources - single10.parentResources) / 15;
  const total = (run: SynthFigures) => run.parentResources + run.groupResources.reduce((sum, count) => sum + count, 0);
  const perSubscriberGrouped = (total(sizes[2]!) - total(sizes[1]!)) / 200;
  compare('resources per Lambda subscriber', perSubscriberGrouped, 'one stack', perSubscriberSingle, 'resources');
}
