import { loadProjectConfig } from '../lib/config/load-project-config.ts';
import type { CloudFormationTemplate } from '../lib/cost/cloudformation-template.ts';
import { idleMonthlyCost } from '../lib/cost/message-path-cost.ts';
import { synthesizedStageTemplates } from '../lib/infra/stage-templates.ts';
import { resolveTopology } from '../lib/topology/resolve-topology.ts';

/** What the example's stage costs a month doing nothing, as `postbox cost` prices it. */
export async function benchIdleCost(stage = 'dev'): Promise<{ stage: string; monthly: number; items: Array<{ item: string; monthly: number }> }> {
  const config = await loadProjectConfig();
  const templates = (await synthesizedStageTemplates(config, stage)) as CloudFormationTemplate[];
  return { stage: `${config.topology.app}-${stage}`, ...idleMonthlyCost(templates, resolveTopology(config.topology, { stage })) };
}
