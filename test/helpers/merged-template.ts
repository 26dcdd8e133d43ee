import { type CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

type Json = any;

/**
 * A stack's template with its nested stacks' resources merged in, as CloudFormation would deploy them together:
 * a nested resource's logical id is prefixed with its nested stack's; a nested stack's parameters become the
 * parent's values for them, and the parent's `Outputs.<name>` of a nested stack become the nested output's value.
 * The permission simulation reads policies across the stacks from it.
 */
export function mergedTemplate(stack: Stack): { template: { Resources: Record<string, Json> }; idOf: (element: CfnElement) => string } {
  const parent = Template.fromStack(stack).toJSON() as { Resources: Record<string, Json> };
  const prefixes = new Map<Stack, string>();
  const resources: Record<string, Json> = {};
  const nestedOutputs = new Map<string, Record<string, Json>>();
  for (const nested of stack.node.findAll().filter((construct): construct is NestedStack => NestedStack.isNestedStack(construct))) {
    const prefix = stack.getLogicalId(nested.nestedStackResource!);
    prefixes.set(nested, prefix);
    const template = Template.fromStack(nested).toJSON() as { Resources: Record<string, Json>; Outputs?: Record<string, Json> };
    const parameters = parent.Resources[prefix].Properties.Parameters ?? {};
    const rename = (value: Json): Json => {
      if (Array.isArray(value)) return value.map(rename);
      if (value === null || typeof value !== 'object') return value;
      if ('Ref' in value && typeof value.Ref === 'string') {
        if (value.Ref in parameters) return parameters[value.Ref];
        return value.Ref.startsWith('AWS::') ? value : { Ref: prefix + value.Ref };
      }
      if ('Fn::GetAtt' in value) return { 'Fn::GetAtt': [prefix + value['Fn::GetAtt'][0], value['Fn::GetAtt'][1]] };
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rename(item)]));
    };
    for (const [id, resource] of Object.entries(template.Resources)) resources[prefix + id] = rename(resource);
    nestedOutputs.set(prefix, Object.fromEntries(Object.entries(template.Outputs ?? {}).map(([name, output]) => [name, rename(output.Value)])));
  }
  const fromOutputs = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(fromOutputs);
    if (value === null || typeof value !== 'object') return value;
    const getAtt = value['Fn::GetAtt'];
    if (getAtt && nestedOutputs.has(getAtt[0]) && String(getAtt[1]).startsWith('Outputs.')) return nestedOutputs.get(getAtt[0])![getAtt[1].slice('Outputs.'.length)];
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromOutputs(item)]));
  };
  for (const [id, resource] of Object.entries(parent.Resources)) {
    if (resource.Type !== 'AWS::CloudFormation::Stack') resources[id] = fromOutputs(resource);
  }
  const idOf = (element: CfnElement) => {
    const owner = Stack.of(element);
    return owner === stack ? stack.getLogicalId(element) : prefixes.get(owner)! + owner.getLogicalId(element);
  };
  return { template: { Resources: resources }, idOf };
}
