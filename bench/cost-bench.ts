import { loadProjectConfig } from '../lib/config/load-project-config.ts';
import type { CloudFormationTemplate } from '../lib/cost/cloudformation-template.ts';
import { fixedMonthlyCost } from '../lib/cost/fixed-monthly-cost.ts';
import { idlePollingCost } from '../lib/cost/message-path-cost.ts';
import { synthesizedStageTemplates } from '../lib/infra/stage-templates.ts';
import { resolveTopology } from '../lib/topology/resolve-topology.ts';

/** What the example's stage costs a month doing nothing, as `postbox cost` prices it. */
export async function benchIdleCost(stage = 'dev'): Promise<{ stage: string; monthly: number; items: Array<{ item: string; monthly: number }> }> {
  const config = await loadProjectConfig();
  const fixed = fixedMonthlyCost((await synthesizedStageTemplates(config, stage)) as CloudFormationTemplate[]);
  const workerTasks = fixed.filter((item) => item.item.startsWith('Fargate task')).reduce((sum, item) => sum + item.count, 0);
  const items = [...fixed, idlePollingCost(resolveTopology(config.topology, { stage }), workerTasks)];
  return { stage: `${config.topology.app}-${stage}`, monthly: Math.round(items.reduce((sum, item) => sum + item.monthly, 0) * 100) / 100, items };
}
