import { CfnResource, Stack } from 'aws-cdk-lib';
import { PostboxError } from '../postbox-error.ts';

/** CloudFormation's most resources in one stack (a nested stack counts as one resource of its parent). */
export const MAX_STACK_RESOURCES = 500;

/** The resources of this stack's own template: a nested stack's are its own, not its parent's. */
export function resourcesOf(stack: Stack): number {
  return stack.node.findAll().filter((construct) => CfnResource.isCfnResource(construct) && Stack.of(construct) === stack).length;
}

/** A stack Postbox made holds more resources than CloudFormation deploys: nothing was synthesized. */
export class StackResourceLimitError extends PostboxError {
  readonly code = 'STACK_RESOURCE_LIMIT';

  constructor(readonly problems: readonly string[]) {
    super(`${problems.join('; ')}. Nothing was synthesized.`);
  }
}

/**
 * What is wrong with the stack's size, if anything: more resources than CloudFormation deploys. `remedy` says what
 * would make room, for this stack.
 */
export function resourceLimitProblem(stack: Stack, remedy: () => string): string | undefined {
  const count = resourcesOf(stack);
  if (count <= MAX_STACK_RESOURCES) return undefined;
  return `stack ${stack.node.path} has ${count} resources, more than CloudFormation's ${MAX_STACK_RESOURCES}: ${remedy()}`;
}

/**
 * Fails synthesis when the stack holds more resources than CloudFormation deploys, instead of a deployment that
 * CloudFormation refuses after its upload; counted again at synthesis for what was added to it after Postbox.
 */
export function checkResourceLimit(stack: Stack, remedy: () => string): void {
  stack.node.addValidation({ validate: () => [resourceLimitProblem(stack, remedy)].filter((problem) => problem !== undefined) });
}

/** What makes room in the MessagingStack itself: nested stacks, or, when its handlers are in them, nothing of Postbox's. */
export function parentStackRemedy(grouped: boolean): string {
  return grouped
    ? "the handlers are in nested stacks already; what is left here is the stack's own (topics, tables, workers, and what you added)"
    : 'split the handlers into nested stacks with stackGroups (in postbox.config.ts, or the MessagingStack prop): about one group per 15 handlers';
}

/** What makes room in a group: a group that handlers name (their stackGroup) is filled by them; a hashed one has more room with more groups. */
export function groupStackRemedy(group: string, named: boolean): string {
  return named
    ? `move some of the handlers whose stackGroup is '${group}' to another stackGroup`
    : 'give the handlers more room with a larger stackGroups (a new deployment: it moves handlers between groups)';
}
