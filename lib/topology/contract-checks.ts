import { FIFO_SUFFIX, parseTopicArn } from './naming.ts';
import type { ResolvedExternalTopic, ResolvedTopology } from './resolved-topology.ts';
import { fieldsGone, schemaFields } from './schema-fields.ts';
import type { ContractTopic, ServiceContract } from './service-contract.ts';
import type { MessageSchema } from './topology-schema.ts';
import type { TopologyDeclaration } from './topology-declaration.ts';

/** What checking a subscriber against its publishers' contracts found. */
export interface ContractFindings {
  /** Each stops synthesis (one line naming the service, topic and event). */
  readonly problems: readonly string[];
  /** Each is printed, and synthesis goes on: a version behind the publisher's. */
  readonly warnings: readonly string[];
}

export interface ContractCheckOptions {
  /** The subscriber's account, when known (not a CDK token): checked against the topics' `allowSubscribers`. */
  readonly account?: string;
  /**
   * Leave out the stage check: a test system runs under a stage of its own making, which no publisher deploys.
   * @default false
   */
  readonly ignoreStages?: boolean;
}

/**
 * Checks every external topic that names its publisher's contract: the topic and its events exist there, the
 * stage is one the publisher deploys, FIFO agrees, the subscriber's account may subscribe, its versions are not
 * behind (a warning) nor ahead (a problem), and no field its schema reads is gone from the publisher's schema.
 * Kept apart from resolveTopology, which every handler runs at cold start: only synthesis and the local system
 * need it, and it brings zod's JSON Schema conversion.
 */
export function checkContracts(declaration: TopologyDeclaration<any, any, any, any, any, any>, topology: ResolvedTopology, options: ContractCheckOptions = {}): ContractFindings {
  const problems: string[] = [];
  const warnings: string[] = [];
  const declared = (declaration.externalTopics ?? {}) as Record<string, { contract?: ServiceContract; topic?: string; stage?: string }>;
  for (const external of topology.externalTopics) {
    const contract = declared[external.id]?.contract;
    if (!contract) continue;
    const service = `service '${contract.service}'`;
    if (external.service !== undefined && external.service !== contract.service) {
      problems.push(`external topic '${external.id}' names service '${external.service}' but its contract is ${service}'s; name the contract's service`);
      continue;
    }
    const found = contractTopicOf(external, declared[external.id]?.topic, contract);
    if (!found) {
      problems.push(`external topic '${external.id}': ${service} has no topic '${declared[external.id]?.topic ?? external.name}' (its contract lists ${Object.keys(contract.topics).join(', ') || 'none'})`);
      continue;
    }
    const [topicId, topic] = found;
    const where = `${service} topic '${topicId}'`;
    const stage = declared[external.id]?.stage ?? stageOf(external, contract.service, topicId) ?? topology.stage;
    if (!options.ignoreStages && contract.stages && !contract.stages.includes(stage)) {
      problems.push(`external topic '${external.id}': ${service} has no stage '${stage}' (it deploys ${contract.stages.join(', ')}); set the external topic's stage`);
    }
    if (topic.fifo !== external.fifo) {
      problems.push(`external topic '${external.id}': ${where} is ${topic.fifo ? 'FIFO' : 'standard'}, declared here as ${external.fifo ? 'FIFO' : 'standard'}`);
    }
    const topicAccount = external.arn ? parseTopicArn(external.arn).account : undefined;
    if (options.account && topicAccount && topicAccount !== options.account && !mayAccountSubscribe(options.account, topic.allowSubscribers)) {
      problems.push(`external topic '${external.id}': account ${options.account} is not allowed to subscribe to ${where} in account ${topicAccount}; its allowSubscribers must name this account or its organization`);
    }
    for (const event of external.events) {
      checkEvent(`${where} event '${event}'`, topology.events[event], topic.events.includes(event) ? contract.events[event] : undefined, problems, warnings);
    }
  }
  return { problems, warnings };
}

function checkEvent(
  what: string,
  mine: { readonly schema: MessageSchema; readonly version: number } | undefined,
  theirs: { readonly schema: MessageSchema; readonly version?: number } | undefined,
  problems: string[],
  warnings: string[],
): void {
  if (!theirs) {
    problems.push(`${what}: the publisher does not carry it; remove it from the external topic`);
    return;
  }
  if (!mine) return; // reported by resolveTopology: an external event must be declared
  const theirVersion = theirs.version ?? 1;
  if (mine.version < theirVersion) {
    warnings.push(`${what}: declared here at version ${mine.version}, the publisher is at version ${theirVersion}; update this service's declaration and handlers`);
  } else if (mine.version > theirVersion) {
    problems.push(`${what}: declared here at version ${mine.version}, ahead of the publisher's version ${theirVersion}; it would refuse nothing yet but expects fields the publisher does not send`);
  }
  if (mine.schema === theirs.schema) return;
  const sent = schemaFields(theirs.schema);
  const read = schemaFields(mine.schema);
  if (!sent || !read) return;
  for (const field of fieldsGone(read, sent)) {
    problems.push(`${what}: this service reads field '${field}', which the publisher's schema no longer has`);
  }
}

/** The contract's topic an external topic names: by its id (service and topic), or by the ARN's topic name. */
function contractTopicOf(external: ResolvedExternalTopic, topicId: string | undefined, contract: ServiceContract): [string, ContractTopic] | undefined {
  if (topicId !== undefined) {
    const topic = contract.topics[topicId];
    return topic && [topicId, topic];
  }
  const name = external.name.endsWith(FIFO_SUFFIX) ? external.name.slice(0, -FIFO_SUFFIX.length) : external.name;
  const prefix = `${contract.service}-`;
  if (!name.startsWith(prefix)) return undefined;
  // `orders-prod-rush-orders` ends like topic `orders` too: a stage the publisher deploys, then the longest id decides.
  const stageFor = (id: string) => name.slice(prefix.length, name.length - id.length - 1);
  const candidates = Object.entries(contract.topics)
    .filter(([id]) => name.endsWith(`-${id}`) && stageFor(id).length > 0)
    .sort(([a], [b]) => Number(contract.stages?.includes(stageFor(b)) ?? 0) - Number(contract.stages?.includes(stageFor(a)) ?? 0) || b.length - a.length);
  return candidates[0];
}

/** The stage in a topic name `<service>-<stage>-<topic>[.fifo]`. */
function stageOf(external: ResolvedExternalTopic, service: string, topicId: string): string | undefined {
  if (!external.arn) return undefined;
  const name = external.name.endsWith(FIFO_SUFFIX) ? external.name.slice(0, -FIFO_SUFFIX.length) : external.name;
  return name.slice(service.length + 1, name.length - topicId.length - 1) || undefined;
}

/** An organization id cannot be checked at synthesis (membership is AWS's to know), so it lets any account pass. */
function mayAccountSubscribe(account: string, allowSubscribers: readonly string[]): boolean {
  return allowSubscribers.includes(account) || allowSubscribers.some((principal) => principal.startsWith('o-'));
}
