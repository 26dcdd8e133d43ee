import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** cfn-lint and its serverless rules, as scripts/install-emulator.sh installs them. */
const CFN_LINT = path.resolve(import.meta.dirname, '../../.emulator/venv/bin/cfn-lint');
const SERVERLESS_RULES = 'cfn_lint_serverless.rules';

/** One finding of cfn-lint (its JSON output, trimmed). */
export interface CfnLintFinding {
  readonly ruleId: string;
  readonly level: 'Error' | 'Warning' | 'Informational';
  readonly message: string;
  /** Where in the template: `['Resources', logicalId, ...]`. */
  readonly path: readonly (string | number)[];
}

/** What lintTemplate found, and which of it must fail a test. */
export interface CfnLintResult {
  readonly findings: readonly CfnLintFinding[];
  /**
   * Errors of any rule, and every finding of the serverless rules, less the false
   * positives below: a test fails when this is not empty.
   */
  readonly blocking: readonly CfnLintFinding[];
}

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, any> }> };

/**
 * Serverless rules that do not apply to what Postbox synthesizes, each accepted only for
 * the resources it does not apply to (anywhere else the rule still fails the lint).
 */
export const POSTBOX_FALSE_POSITIVES: ReadonlyArray<{ ruleId: string; why: string; applies: (template: Template, logicalId: string) => boolean }> = [
  {
    ruleId: 'ES6000',
    why: 'a dead-letter queue has no dead-letter queue of its own: what lands there stays for the operator (browse, redrive) until its retention ends',
    applies: (template, logicalId) => deadLetterTargets(template).has(logicalId),
  },
  {
    ruleId: 'ES1001',
    why: 'Lambda offers on-failure destinations only to stream and Kafka event sources; an SQS source hands failed records back to the queue, whose redrive policy moves them to its DLQ',
    applies: (template, logicalId) => {
      const source = template.Resources?.[logicalId]?.Properties?.EventSourceArn?.['Fn::GetAtt']?.[0];
      return template.Resources?.[source]?.Type === 'AWS::SQS::Queue';
    },
  },
  {
    ruleId: 'WS1004',
    why: "the rule knows only log groups named /aws/lambda/<function>; Postbox's consumers log to a log group of their own with a retention, named in LoggingConfig",
    applies: (template, logicalId) => {
      const logGroup = template.Resources?.[logicalId]?.Properties?.LoggingConfig?.LogGroup?.Ref;
      return template.Resources?.[logGroup]?.Properties?.RetentionInDays !== undefined;
    },
  },
  {
    ruleId: 'WS1004',
    why: "CDK's own provider of the custom resource that locks the worker VPC's default security group (the recommended flag @aws-cdk/aws-ec2:restrictDefaultSecurityGroup): CDK offers no log settings for it, and it runs only during deploys",
    applies: (template, logicalId) =>
      template.Resources?.[logicalId]?.Type === 'AWS::Lambda::Function' && logicalId.startsWith('CustomVpcRestrictDefaultSGCustomResourceProviderHandler'),
  },
  {
    ruleId: 'WS1000',
    why: "Postbox writes no X-Ray segments (its observability is structured logs and EMF metrics); active tracing would record only Lambda's own segments, at a cost, with a role allowed xray:Put* on every resource",
    applies: (template, logicalId) => template.Resources?.[logicalId]?.Type === 'AWS::Lambda::Function',
  },
];

/**
 * Runs cfn-lint with its serverless rules over a synthesized template.
 * @throws when cfn-lint is not installed (npm run emulator:install) or cannot read the template
 */
export async function lintTemplate(templatePath: string): Promise<CfnLintResult> {
  if (!existsSync(CFN_LINT)) throw new Error(`cfn-lint is not installed at ${CFN_LINT}; run npm run emulator:install`);
  const { stdout } = await run(CFN_LINT, ['--format', 'json', '--non-zero-exit-code', 'none', '--append-rules', SERVERLESS_RULES, '--', templatePath], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const findings: CfnLintFinding[] = (JSON.parse(stdout) as any[]).map((match) => ({
    ruleId: match.Rule.Id,
    level: match.Level,
    message: match.Message,
    path: match.Location.Path ?? [],
  }));
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
  const blocking = findings.filter((finding) => (finding.level === 'Error' || isServerlessRule(finding.ruleId)) && !isFalsePositive(template, finding));
  return { findings, blocking };
}

/** The serverless rules' ids have an S after the level letter (ES6000, WS1004); cfn-lint's own do not (E3001, W3005). */
function isServerlessRule(ruleId: string): boolean {
  return /^[EWI]S\d/.test(ruleId);
}

function isFalsePositive(template: Template, finding: CfnLintFinding): boolean {
  const [section, logicalId] = finding.path;
  if (section !== 'Resources' || typeof logicalId !== 'string') return false;
  return POSTBOX_FALSE_POSITIVES.some(({ ruleId, applies }) => ruleId === finding.ruleId && applies(template, logicalId));
}

/** Logical ids of the queues that a queue's or a subscription's redrive policy, or a stream event source's on-failure destination, names as its DLQ. */
function deadLetterTargets(template: Template): Set<string> {
  const targets = new Set<string>();
  for (const resource of Object.values(template.Resources ?? {})) {
    const target = resource.Properties?.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
    if (typeof target === 'string') targets.add(target);
    const onFailure = resource.Properties?.DestinationConfig?.OnFailure?.Destination?.['Fn::GetAtt']?.[0];
    if (typeof onFailure === 'string') targets.add(onFailure);
  }
  return targets;
}
