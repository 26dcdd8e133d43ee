import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/**
 * The topic a monitoring's alarms notify, in its scope: encrypted with a key of its own, TLS only, and published to
 * only by CloudWatch for alarms of the stack's account; `alarmEmail`, if given, is subscribed.
 */
export function addAlarmTopic(scope: Construct, alarmEmail: string | undefined): sns.Topic {
  // CloudWatch acts for any account: only alarms of this stack's account may notify.
  const cloudwatchOfThisAccount = {
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
  };
  const key = new kms.Key(scope, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Encrypts the alarm topic' });
  // CloudWatch publishes alarms to the encrypted topic with this key.
  key.addToResourcePolicy(new iam.PolicyStatement({ ...cloudwatchOfThisAccount, actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'] }));
  const alarmTopic = new sns.Topic(scope, 'AlarmTopic', { masterKey: key, enforceSSL: true });
  // A topic policy replaces SNS's default one, so CloudWatch needs its own allow besides the TLS-only deny.
  alarmTopic.addToResourcePolicy(new iam.PolicyStatement({ ...cloudwatchOfThisAccount, actions: ['sns:Publish'], resources: [alarmTopic.topicArn] }));
  if (alarmEmail) alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(alarmEmail));
  return alarmTopic;
}
