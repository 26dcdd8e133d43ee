import { Option, type Command } from 'commander';
import type { ProjectConfig } from '../../config/load-project-config.ts';
import { implicitDevelopmentWarning, STAGE_PROFILES, stageProfileOf, type StageProfile } from '../../config/stage-profile.ts';
import { AWS_PRICES } from '../../cost/aws-prices.ts';
import type { CloudFormationTemplate } from '../../cost/cloudformation-template.ts';
import { idleMonthlyCost, messagePathCosts, unpricedIdleCosts } from '../../cost/message-path-cost.ts';
import { resolveTopology } from '../../topology/resolve-topology.ts';
import type { CliIo, GlobalOptions } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { integerOption } from '../cli-option-parsers.ts';
import { formatTable } from '../table-format.ts';

interface CostOptions {
  readonly messages: number;
  readonly lambdaMs: number;
  readonly stageProfile?: StageProfile;
}

const dollars = (amount: number) => `$${amount.toFixed(2)}`;

/**
 * `postbox cost`: what a deployed stage costs a month doing nothing, item by item from its synthesized template under
 * its cost profile (and the total under the other profile beside it), and what a million messages cost on each path,
 * at the dated list prices of lib/cost/aws-prices.ts.
 */
export function registerCost(program: Command, config: () => Promise<ProjectConfig>, io: CliIo): void {
  program
    .command('cost')
    .description(`what a stage costs a month idle, item by item, and per million messages on each path (${AWS_PRICES.region} list prices of ${AWS_PRICES.asOf})`)
    .addOption(new Option('--messages <n>', 'also the month at this many messages on each path (0-10000000000)').default(0).argParser(integerOption({ min: 0, max: 10_000_000_000, unit: 'messages' })))
    .addOption(new Option('--stage-profile <profile>', "price the stage under this cost profile rather than the config's").choices(STAGE_PROFILES))
    .addOption(new Option('--lambda-ms <ms>', "how long a Lambda handler's full batch runs, in ms (1-900000)").default(100).argParser(integerOption({ min: 1, max: 900_000, unit: 'milliseconds' })))
    .action(async (options: CostOptions) => {
      const global = program.opts<GlobalOptions>();
      if (global.profile !== undefined) {
        throw new CliError(
          `--profile names an AWS profile, which cost does not use (it prices the synthesized template offline); --stage-profile ${STAGE_PROFILES.join('|')} picks the cost profile`,
          ExitCode.invalidInput,
        );
      }
      const project = await config();
      const stage = global.stage ?? project.stages.deployed;
      // The same warning synthesis gives: this is what the stage would cost as deployed, which may not be meant.
      const implicit = options.stageProfile === undefined ? implicitDevelopmentWarning(project.stages.profiles, stage) : undefined;
      if (implicit) io.err(`postbox: warning: ${implicit}`);
      // Loaded only here: no other command pays for the CDK.
      const { synthesizedStageTemplates } = await import('../../infra/stage-templates.ts');
      const profile = options.stageProfile ?? stageProfileOf(project.stages.profiles, stage);
      const otherProfile: StageProfile = profile === 'production' ? 'development' : 'production';
      const topology = resolveTopology(project.topology, { stage });
      const idleUnder = async (under: StageProfile) => idleMonthlyCost((await synthesizedStageTemplates(project, stage, under)) as CloudFormationTemplate[], topology);
      const { items, monthly: idle } = await idleUnder(profile);
      const other = { profile: otherProfile, idleMonthly: (await idleUnder(otherProfile)).monthly };
      const paths = messagePathCosts(topology, { lambdaBatchMilliseconds: options.lambdaMs });
      const traffic = round(paths.reduce((sum, path) => sum + (path.perMillion * options.messages) / 1_000_000, 0));
      const report = {
        stage: topology.prefix,
        profile,
        prices: { region: AWS_PRICES.region, asOf: AWS_PRICES.asOf },
        idleMonthly: idle,
        items,
        unpriced: unpricedIdleCosts(topology),
        otherProfile: other,
        paths,
        messages: options.messages,
        monthly: round(idle + traffic),
      };
      if (global.json) {
        io.out(JSON.stringify(report, null, 2));
        return;
      }
      io.out(`${topology.prefix} (${profile} profile): ${dollars(idle)} a month idle (${AWS_PRICES.region} list prices of ${AWS_PRICES.asOf}, before free tiers)\n`);
      io.out(formatTable(['item', 'count', 'each', 'monthly', 'note'], items.map((item) => [item.item, String(item.count), dollars(item.unitPrice), dollars(item.monthly), item.note ?? ''])));
      for (const unpriced of report.unpriced) io.out(`and, not priced: ${unpriced.item}: ${unpriced.count.toLocaleString('en-US')} a month, ${unpriced.note}`);
      const stageOption = global.stage === undefined ? '' : ` --stage ${stage}`;
      io.out(`\nunder the ${other.profile} profile: ${dollars(other.idleMonthly)} a month idle (postbox cost${stageOption} --stage-profile ${other.profile} itemizes it)`);
      io.out(`\nper million messages on each path (full batches; Lambda batches of ${options.lambdaMs} ms):\n`);
      io.out(
        formatTable(
          ['path', 'SNS', 'SQS requests', 'Lambda', 'DynamoDB writes', 'per million'],
          paths.map((path) => [path.path, figure(path.perMessage.snsPublishes), figure(path.perMessage.sqsRequests), figure(path.perMessage.lambdaInvocations), figure(path.perMessage.dynamodbWrites), dollars(path.perMillion)]),
        ),
      );
      if (options.messages > 0) io.out(`\nwith ${options.messages.toLocaleString('en-US')} messages a month on each path: ${dollars(report.monthly)} a month`);
    });
}

const round = (amount: number) => Math.round(amount * 100) / 100;
const figure = (perMessage: number) => (perMessage === 0 ? '-' : String(Math.round(perMessage * 1000) / 1000));
