import type { Environment } from 'aws-cdk-lib';
import { PostboxError } from '../postbox-error.ts';

/** The account or region asked for cannot be one: synthesis stops before writing it into the template. */
export class StackEnvironmentError extends PostboxError {
  readonly code = 'STACK_ENVIRONMENT_INVALID';
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^\d{12}$/;

/**
 * The environment of the stacks: only the account and region asked for with
 * `-c account=…` and `-c region=…`, else none, so that the template names them
 * as `AWS::AccountId` and `AWS::Region` and deploys anywhere. The CLI's
 * CDK_DEFAULT_REGION is ignored on purpose: without a configured region it is
 * us-east-1, which would end up in ARNs and the log driver's options.
 */
export function stackEnvironment(context: { account?: unknown; region?: unknown }): Environment {
  const { account, region } = context;
  if (region !== undefined && !(typeof region === 'string' && REGION.test(region))) {
    throw new StackEnvironmentError(
      `context 'region' is '${String(region)}', not an AWS region name such as eu-west-1; pass -c region=<region>, or leave it out for a template that deploys to any region`,
    );
  }
  if (account !== undefined && !(typeof account === 'string' && ACCOUNT.test(account))) {
    throw new StackEnvironmentError(
      `context 'account' is '${String(account)}', not a 12-digit AWS account id; pass -c account=<id>, or leave it out for a template that deploys to any account`,
    );
  }
  return { ...(account !== undefined && { account }), ...(region !== undefined && { region }) };
}
