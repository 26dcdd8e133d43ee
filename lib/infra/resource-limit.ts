import { CfnResource, Stack } from 'aws-cdk-lib';

/** CloudFormation's most resources in one stack (a nested stack counts as one resource of its parent). */
export const MAX_STACK_RESOURCES = 500;

/** The resources of this stack's own template: a nested stack's are its own, not its parent's. */
export function resourcesOf(stack: Stack): number {
  return stack.node.findAll().filter((construct) => CfnResource.isCfnResource(construct) && Stack.of(construct) === stack).length;
}

/**
 * Fails synthesis when the stack holds more resources than CloudFormation deploys, instead of a deployment that
 * CloudFormation refuses after its upload. `remedy` says what would make room, for this stack.
 */
export function checkResourceLimit(stack: Stack, remedy: () => string): void {
  stack.node.addValidation({
    validate: () => {
      const count = resourcesOf(stack);
      if (count <= MAX_STACK_RESOURCES) return [];
      return [`stack ${stack.node.path} has ${count} resources, more than CloudFormation's ${MAX_STACK_RESOURCES}: ${remedy()}`];
    },
  });
}
