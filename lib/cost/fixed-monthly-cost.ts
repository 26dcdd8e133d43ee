import { AWS_PRICES, HOURS_PER_MONTH } from './aws-prices.ts';
import { refersTo, resourcesOfType, type CloudFormationTemplate } from './cloudformation-template.ts';

/** One line of a stage's bill: what, how many, at what price each, and the month's total. */
export interface CostItem {
  readonly item: string;
  readonly count: number;
  /** Dollars a month for one. */
  readonly unitPrice: number;
  /** Dollars a month for all. */
  readonly monthly: number;
  readonly note?: string;
}

const round = (dollars: number) => Math.round(dollars * 100) / 100;

function item(label: string, count: number, unitPrice: number, note?: string): CostItem {
  return { item: label, count, unitPrice: round(unitPrice), monthly: round(count * unitPrice), ...(note && { note }) };
}

/**
 * What a stage costs a month doing nothing, read from its synthesized templates (the stack and its nested stacks):
 * the resources billed by the hour or the month. Messages, requests and storage are priced by messagePathCosts.
 */
export function fixedMonthlyCost(templates: readonly CloudFormationTemplate[]): CostItem[] {
  const items: CostItem[] = [];
  const natGateways = resourcesOfType(templates, 'AWS::EC2::NatGateway').length;
  if (natGateways > 0) items.push(item('NAT gateway', natGateways, AWS_PRICES.natGatewayPerHour * HOURS_PER_MONTH, 'plus $0.045 per GB it carries'));

  const tasks = idleFargateTasks(templates);
  for (const task of tasks.filter((running) => running.count > 0)) {
    const price = AWS_PRICES.fargate[task.architecture];
    const perTask = (task.vcpu * price.perVcpuHour + task.memoryGb * price.perGbHour) * HOURS_PER_MONTH;
    items.push(item(`Fargate task (${task.vcpu} vCPU, ${task.memoryGb} GB, ${task.architecture}), always running`, task.count, perTask));
  }
  const publicAddresses = resourcesOfType(templates, 'AWS::EC2::EIP').length + tasks.filter((task) => task.publicIp).reduce((sum, task) => sum + task.count, 0);
  if (publicAddresses > 0) items.push(item('public IPv4 address', publicAddresses, AWS_PRICES.publicIpv4PerHour * HOURS_PER_MONTH));

  const interfaceEndpointAzs = resourcesOfType(templates, 'AWS::EC2::VPCEndpoint')
    .filter(([, endpoint]) => endpoint.Properties?.VpcEndpointType === 'Interface')
    .reduce((sum, [, endpoint]) => sum + ((endpoint.Properties?.SubnetIds as unknown[] | undefined)?.length ?? 1), 0);
  if (interfaceEndpointAzs > 0) items.push(item('VPC interface endpoint, per Availability Zone', interfaceEndpointAzs, AWS_PRICES.interfaceEndpointPerAzHour * HOURS_PER_MONTH));

  const alarms = resourcesOfType(templates, 'AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms.reduce((sum, [, alarm]) => sum + metricsOfAlarm(alarm.Properties ?? {}), 0);
  if (alarmMetrics > 0) items.push(item(`CloudWatch alarm metric (${alarms.length} alarms)`, alarmMetrics, AWS_PRICES.alarmMetricPerMonth));

  const dashboards = resourcesOfType(templates, 'AWS::CloudWatch::Dashboard').length;
  if (dashboards > 0) items.push(item('CloudWatch dashboard', dashboards, AWS_PRICES.dashboardPerMonth, "free if among the account's first 3"));

  const keys = resourcesOfType(templates, 'AWS::KMS::Key').length;
  if (keys > 0) items.push(item('KMS customer-managed key', keys, AWS_PRICES.kmsKeyPerMonth, 'plus $0.03 per 10,000 requests'));
  return items;
}

/** An alarm is billed per metric it reads: one, or each metric of its metric math. */
function metricsOfAlarm(properties: Readonly<Record<string, unknown>>): number {
  const metrics = properties.Metrics as Array<Record<string, unknown>> | undefined;
  if (!metrics) return 1;
  return metrics.filter((metric) => metric.MetricStat !== undefined).length;
}

interface IdleFargateTasks {
  readonly count: number;
  readonly vcpu: number;
  readonly memoryGb: number;
  readonly architecture: 'ARM64' | 'X86_64';
  readonly publicIp: boolean;
}

/** Each Fargate service's tasks running with no work: its scaling target's minimum, else its desired count. */
function idleFargateTasks(templates: readonly CloudFormationTemplate[]): IdleFargateTasks[] {
  const targets = resourcesOfType(templates, 'AWS::ApplicationAutoScaling::ScalableTarget');
  const definitions = new Map(resourcesOfType(templates, 'AWS::ECS::TaskDefinition'));
  return resourcesOfType(templates, 'AWS::ECS::Service').flatMap(([id, service]) => {
    const properties = service.Properties ?? {};
    const definitionId = (properties.TaskDefinition as { Ref?: string } | undefined)?.Ref;
    const definition = definitionId ? definitions.get(definitionId)?.Properties : undefined;
    if (!definition || !(definition.RequiresCompatibilities as string[] | undefined)?.includes('FARGATE')) return [];
    const target = targets.find(([, scalable]) => refersTo(scalable.Properties?.ResourceId, id));
    const count = Number(target?.[1].Properties?.MinCapacity ?? properties.DesiredCount ?? 1);
    const network = (properties.NetworkConfiguration as { AwsvpcConfiguration?: { AssignPublicIp?: string } } | undefined)?.AwsvpcConfiguration;
    const architecture = (definition.RuntimePlatform as { CpuArchitecture?: string } | undefined)?.CpuArchitecture === 'ARM64' ? 'ARM64' : 'X86_64';
    return [{ count, vcpu: Number(definition.Cpu) / 1024, memoryGb: Number(definition.Memory) / 1024, architecture, publicIp: network?.AssignPublicIp === 'ENABLED' }];
  });
}
