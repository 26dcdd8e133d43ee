import { loadProjectConfig } from '../lib/config/load-project-config.ts';
import type { StageProfile } from '../lib/config/stage-profile.ts';
import type { CloudFormationTemplate } from '../lib/cost/cloudformation-template.ts';
import { idleMonthlyCost } from '../lib/cost/message-path-cost.ts';
import { synthesizedStageTemplates } from '../lib/infra/stage-templates.ts';
import { resolveTopology } from '../lib/topology/resolve-topology.ts';

/** What the example's stage costs a month doing nothing under a cost profile, as `postbox cost` prices it. */
export async function benchIdleCost(stage: string, profile: StageProfile): Promise<{ stage: string; monthly: number; items: Array<{ item: string; monthly: number }> }> {
  const config = await loadProjectConfig();
  const templates = (await synthesizedStageTemplates(config, stage, profile)) as CloudFormationTemplate[];
  return { stage: `${config.topology.app}-${stage}`, ...idleMonthlyCost(templates, resolveTopology(config.topology, { stage })) };
}
