/** The part of a synthesized CloudFormation template that `postbox cost` reads. */
export interface CloudFormationTemplate {
  readonly Resources?: Readonly<Record<string, CloudFormationResource>>;
}

export interface CloudFormationResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/** The resources of the given templates (a stack and its nested stacks) of one type, with their logical ids. */
export function resourcesOfType(templates: readonly CloudFormationTemplate[], type: string): Array<[string, CloudFormationResource]> {
  return templates.flatMap((template) => Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type));
}

/** Whether `value` (a property, however deeply nested in intrinsic functions) names the resource `logicalId`. */
export function refersTo(value: unknown, logicalId: string): boolean {
  if (Array.isArray(value)) return value.some((item) => refersTo(item, logicalId));
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if (record.Ref === logicalId) return true;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[0] === logicalId) return true;
  return Object.values(record).some((item) => refersTo(item, logicalId));
}
