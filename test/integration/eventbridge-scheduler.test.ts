import { CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, inject, it } from 'vitest';
import { EventBridgeMessageScheduler } from '../../lib/runtime/publishing/scheduling/eventbridge-message-scheduler.ts';
import { uniqueStage } from '../helpers/emulator.ts';

// EventBridge Scheduler as moto serves it (behind fauxqs too): the schedules Postbox makes, read back. Moto keeps
// schedules and fires none; the local system's scheduler delivers them in postbox dev and postbox/testing.
const client = new SchedulerClient({ endpoint: inject('awsEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const settings = {
  roleArn: 'arn:aws:iam::000000000000:role/pay-dev-scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:pay-dev-scheduler-dlq',
};

async function schedulerOfNewGroup() {
  const group = `pay-${uniqueStage()}`;
  await client.send(new CreateScheduleGroupCommand({ Name: group }));
  return { group, scheduler: new EventBridgeMessageScheduler({ ...settings, group }, async () => client) };
}

describe('EventBridgeMessageScheduler against the emulator', () => {
  it('makes a one-time schedule in UTC, deleted after it fires, whose universal target makes the same SendMessage, attributes and all', async () => {
    const { group, scheduler } = await schedulerOfNewGroup();
    const at = new Date('2027-01-02T03:04:05.678Z');
    const messageAttributes = { type: { DataType: 'String', StringValue: 'refund.issue' } };
    await scheduler.schedule({ name: 'postbox-m-1', at, call: { kind: 'queue', queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/pay-dev-refund-issue', message: '{"id":"m-1"}', messageAttributes } });
    const schedule = await client.send(new GetScheduleCommand({ Name: 'postbox-m-1', GroupName: group }));
    expect(schedule).toMatchObject({
      ScheduleExpression: 'at(2027-01-02T03:04:05)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage',
        RoleArn: settings.roleArn,
        DeadLetterConfig: { Arn: settings.deadLetterArn },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      },
    });
    expect(JSON.parse(schedule.Target!.Input!)).toEqual({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/pay-dev-refund-issue',
      MessageBody: '{"id":"m-1"}',
      MessageAttributes: messageAttributes,
    });
  });

  it('publishes to a topic through sns:publish, with the message attributes the subscriptions filter on', async () => {
    const { group, scheduler } = await schedulerOfNewGroup();
    const messageAttributes = { type: { DataType: 'String', StringValue: 'payment.captured' } };
    await scheduler.schedule({ name: 'postbox-e-1', at: new Date('2027-01-02T00:00:00Z'), call: { kind: 'topic', topicArn: 'arn:aws:sns:us-east-1:000000000000:pay-dev-payments', message: '{}', messageAttributes, messageGroupId: 'tenant-7' } });
    const schedule = await client.send(new GetScheduleCommand({ Name: 'postbox-e-1', GroupName: group }));
    expect(schedule.Target!.Arn).toBe('arn:aws:scheduler:::aws-sdk:sns:publish');
    expect(JSON.parse(schedule.Target!.Input!)).toEqual({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:pay-dev-payments', Message: '{}', MessageAttributes: messageAttributes, MessageGroupId: 'tenant-7' });
  });

  it('cancels by deleting the schedule; false for one that is not there (fired, cancelled, or never made)', async () => {
    const { group, scheduler } = await schedulerOfNewGroup();
    await scheduler.schedule({ name: 'postbox-m-2', at: new Date('2027-01-02T00:00:00Z'), call: { kind: 'queue', queueUrl: 'https://q', message: '{}', messageAttributes: {} } });
    expect(await scheduler.cancel('postbox-m-2')).toBe(true);
    await expect(client.send(new GetScheduleCommand({ Name: 'postbox-m-2', GroupName: group }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await scheduler.cancel('postbox-m-2')).toBe(false);
  });
});
