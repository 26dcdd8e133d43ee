import { runSimulation, type SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';

type Json = any;
interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}

/** The account and region the template is read for: every Ref and GetAtt becomes a concrete fake ARN in them. */
export interface FakeEnvironment {
  readonly account: string;
  readonly region: string;
}

export type SimulationResult = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** One request to simulate against the template's policies. */
export interface SimulatedRequest {
  /**
   * A role's logical id (its identity policies apply), a service principal such as `sns.amazonaws.com`, or a role
   * of another account (its ARN), whose own identity policy allows the action: only the template's resource
   * policy can then refuse it.
   */
  readonly principal: { readonly role: string } | { readonly service: string } | { readonly otherAccountRole: string };
  readonly action: string;
  /** ARN of the resource, `*` for actions without resource-level permissions. */
  readonly resourceArn: string;
  /** Logical id of the resource whose resource policy (topic, queue) or key policy applies, if any. */
  readonly policyHolder?: string;
  readonly context: Record<string, string | string[]>;
}

/**
 * The policies of a synthesized template as IAM would hold them once deployed:
 * identity policies per role, topic and queue policies, key policies, with
 * every intrinsic resolved to fake physical names and ARNs, as the simulator
 * needs concrete values.
 */
export class TemplatePolicies {
  private readonly resources: Record<string, CfnResource>;

  constructor(
    template: { Resources: Record<string, CfnResource> },
    readonly env: FakeEnvironment,
  ) {
    this.resources = template.Resources;
  }

  /** The ARN of a resource of the template as deployed (a topic's `Ref`, else its `Fn::GetAtt Arn`). */
  arnOf(logicalId: string): string {
    return this.attribute(logicalId, this.resource(logicalId).Type === 'AWS::SNS::Topic' ? 'TopicArn' : 'Arn');
  }

  resource(logicalId: string): CfnResource {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`The template has no resource '${logicalId}'.`);
    return resource;
  }

  /** Resources of a type, by logical id. */
  ofType(type: string): Array<[string, CfnResource]> {
    return Object.entries(this.resources).filter(([, resource]) => resource.Type === type);
  }

  /** The value of a template expression once deployed: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split and pseudo parameters. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const [key] = Object.keys(value);
    const argument = value[key!];
    switch (key) {
      case 'Ref':
        return this.ref(argument);
      case 'Fn::GetAtt':
        return this.attribute(argument[0], argument[1]);
      case 'Fn::Join':
        return (this.resolve(argument[1]) as string[]).join(argument[0]);
      case 'Fn::Select':
        return this.resolve(argument[1])[Number(this.resolve(argument[0]))];
      case 'Fn::Split':
        return (this.resolve(argument[1]) as string).split(argument[0]);
      case 'Fn::Sub':
        return this.substitute(...((Array.isArray(argument) ? argument : [argument, {}]) as [string, Record<string, Json>]));
      default:
        if (key?.startsWith('Fn::')) throw new Error(`Cannot resolve ${key} in ${JSON.stringify(value)}.`);
        return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, this.resolve(item)]));
    }
  }

  /** The policies attached to a role: its inline ones and every AWS::IAM::Policy naming it. */
  identityPolicies(roleId: string): SimulationIdentityPolicy[] {
    const role = this.resource(roleId);
    if (role.Type !== 'AWS::IAM::Role') throw new Error(`'${roleId}' is a ${role.Type}, not a role.`);
    if (role.Properties?.ManagedPolicyArns?.length) {
      throw new Error(`Role '${roleId}' has managed policies, which the template does not hold: ${JSON.stringify(role.Properties.ManagedPolicyArns)}.`);
    }
    const inline = (role.Properties?.Policies ?? []).map((policy: Json) => ({ name: policy.PolicyName, policy: this.resolve(policy.PolicyDocument) }));
    const attached = [...this.ofType('AWS::IAM::Policy'), ...this.ofType('AWS::IAM::ManagedPolicy')]
      .filter(([, policy]) => (policy.Properties?.Roles ?? []).some((ref: Json) => ref.Ref === roleId))
      .map(([id, policy]) => ({ name: id, policy: this.resolve(policy.Properties!.PolicyDocument) }));
    return [...inline, ...attached];
  }

  /** The resource policy of a topic, queue or bucket, or the key policy of a key; undefined if it has none. */
  resourcePolicy(logicalId: string): Json | undefined {
    const resource = this.resource(logicalId);
    if (resource.Type === 'AWS::KMS::Key') return this.resolve(resource.Properties!.KeyPolicy);
    if (resource.Type === 'AWS::S3::Bucket') {
      const [policy] = this.ofType('AWS::S3::BucketPolicy').filter(([, candidate]) => candidate.Properties!.Bucket.Ref === logicalId);
      return policy && this.resolve(policy[1].Properties!.PolicyDocument);
    }
    const [policyType, listName] =
      resource.Type === 'AWS::SNS::Topic' ? ['AWS::SNS::TopicPolicy', 'Topics'] : resource.Type === 'AWS::SQS::Queue' ? ['AWS::SQS::QueuePolicy', 'Queues'] : [];
    if (!policyType) return undefined;
    const policies = this.ofType(policyType).filter(([, policy]) => policy.Properties![listName!].some((ref: Json) => ref.Ref === logicalId));
    // A topic or queue holds one policy: a second one would replace the first at deploy time.
    if (policies.length > 1) throw new Error(`'${logicalId}' has ${policies.length} ${policyType} resources; only the last deployed would hold.`);
    return policies[0] && this.resolve(policies[0][1].Properties!.PolicyDocument);
  }

  /** Runs the request through the IAM simulator against the template's policies. */
  async simulate(request: SimulatedRequest): Promise<SimulationResult> {
    const response = await runSimulation(
      {
        request: {
          principal: 'role' in request.principal ? this.arnOf(request.principal.role) : 'service' in request.principal ? request.principal.service : request.principal.otherAccountRole,
          action: request.action,
          resource: { resource: request.resourceArn, accountId: this.env.account },
          contextVariables: request.context,
        },
        identityPolicies:
          'role' in request.principal
            ? this.identityPolicies(request.principal.role)
            : 'otherAccountRole' in request.principal
              ? [{ name: 'own', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: request.action, Resource: request.resourceArn }] } }]
              : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: request.policyHolder ? this.resourcePolicy(request.policyHolder) : undefined,
      },
      { simulationMode: 'Strict' },
    );
    if (response.resultType === 'error') {
      throw new Error(`The simulator refused ${request.action} on ${request.resourceArn}: ${JSON.stringify(response.errors)}`);
    }
    return response.overallResult as SimulationResult;
  }

  private ref(name: string): string {
    const { account, region } = this.env;
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'stack',
    };
    if (pseudo[name]) return pseudo[name];
    const { Type, Properties = {} } = this.resource(name);
    switch (Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${Properties.QueueName ?? name}`;
      case 'AWS::SNS::Topic':
        return this.attribute(name, 'TopicArn');
      case 'AWS::KMS::Key':
        return `key-${name.toLowerCase()}`;
      case 'AWS::DynamoDB::Table':
        return Properties.TableName ?? name;
      case 'AWS::Logs::LogGroup':
        return Properties.LogGroupName ?? name;
      case 'AWS::S3::Bucket':
        return Properties.BucketName ? this.resolve(Properties.BucketName) : name.toLowerCase();
      default:
        return name;
    }
  }

  private attribute(name: string, attribute: string): string {
    const { account, region } = this.env;
    const { Type, Properties = {} } = this.resource(name);
    const known: Record<string, Record<string, () => string>> = {
      'AWS::SQS::Queue': {
        Arn: () => `arn:aws:sqs:${region}:${account}:${Properties.QueueName ?? name}`,
        QueueName: () => Properties.QueueName ?? name,
        QueueUrl: () => this.ref(name),
      },
      'AWS::SNS::Topic': {
        TopicArn: () => `arn:aws:sns:${region}:${account}:${Properties.TopicName ?? name}`,
        TopicName: () => Properties.TopicName ?? name,
      },
      'AWS::KMS::Key': { Arn: () => `arn:aws:kms:${region}:${account}:key/${this.ref(name)}`, KeyId: () => this.ref(name) },
      'AWS::IAM::Role': { Arn: () => `arn:aws:iam::${account}:role/${name}` },
      'AWS::Logs::LogGroup': { Arn: () => `arn:aws:logs:${region}:${account}:log-group:${this.ref(name)}:*` },
      'AWS::DynamoDB::Table': {
        Arn: () => `arn:aws:dynamodb:${region}:${account}:table/${this.ref(name)}`,
        StreamArn: () => `arn:aws:dynamodb:${region}:${account}:table/${this.ref(name)}/stream/2026-01-01T00:00:00.000`,
      },
      'AWS::S3::Bucket': { Arn: () => `arn:aws:s3:::${this.ref(name)}` },
    };
    const value = known[Type]?.[attribute];
    if (!value) throw new Error(`Cannot resolve Fn::GetAtt ${name}.${attribute} (a ${Type}).`);
    return value();
  }

  private substitute(text: string, variables: Record<string, Json>): string {
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, expression: string) => {
      if (expression in variables) return this.resolve(variables[expression]);
      const [name, attribute] = expression.split('.');
      return attribute ? this.attribute(name!, attribute) : this.ref(name!);
    });
  }
}
