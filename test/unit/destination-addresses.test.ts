import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { DestinationAddresses, queueUrl, topicArn } from '../../lib/runtime/publishing/destination-addresses.ts';
import { DestinationAddressError, PublisherOptionsError } from '../../lib/runtime/publishing/publish-errors.ts';
import type { Destination } from '../../lib/runtime/publishing/publish-requests.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';

const topic: Destination = { kind: 'topic', id: 'payments', name: 'pay-dev-payments', fifo: false, maxMessageBytes: 262_144, maxBatchBytes: 262_144 };
const queue: Destination = { kind: 'queue', id: 'report-build', name: 'pay-dev-report-build', fifo: false, maxMessageBytes: 2048, maxBatchBytes: 1_048_576 };
const keys = { accessKeyId: 'x', secretAccessKey: 'x' };

/**
 * Clients whose every call is refused as IAM refuses an action it was not granted, recording what was asked:
 * a publisher granted only sns:Publish and sqs:SendMessage must find its destinations without a call.
 */
function grantedNothing(config: ConstructorParameters<typeof SNSClient>[0] = {}, granted: readonly string[] = []) {
  const calls: string[] = [];
  const refuse = (command: { input: object }) => {
    calls.push(command.constructor.name);
    if (granted.includes(command.constructor.name)) return Promise.resolve({ MessageId: 'm-1', input: command.input });
    return Promise.reject(Object.assign(new Error(`not authorized to perform ${command.constructor.name}`), { name: 'AuthorizationError' }));
  };
  const sns = new SNSClient({ region: 'eu-west-1', credentials: keys, ...config });
  const sqs = new SQSClient({ region: 'eu-west-1', credentials: keys, ...config });
  sns.send = refuse as never;
  sqs.send = refuse as never;
  return { sns, sqs, calls };
}

describe('topicArn and queueUrl', () => {
  it("build a topic's ARN and a queue's URL from its name, account and region", () => {
    const location = { account: '111111111111', region: 'eu-west-1' };
    expect(topicArn('pay-dev-payments', location)).toBe('arn:aws:sns:eu-west-1:111111111111:pay-dev-payments');
    expect(queueUrl('pay-dev-report-build.fifo', location)).toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/pay-dev-report-build.fifo');
  });

  it("use the partition and domain of the region's partition", () => {
    expect(topicArn('t', { account: '111111111111', region: 'cn-north-1' })).toBe('arn:aws-cn:sns:cn-north-1:111111111111:t');
    expect(queueUrl('q', { account: '111111111111', region: 'cn-northwest-1' })).toBe('https://sqs.cn-northwest-1.amazonaws.com.cn/111111111111/q');
    expect(topicArn('t', { account: '111111111111', region: 'us-gov-west-1' })).toBe('arn:aws-us-gov:sns:us-gov-west-1:111111111111:t');
    expect(queueUrl('q', { account: '111111111111', region: 'us-gov-east-1' })).toBe('https://sqs.us-gov-east-1.amazonaws.com/111111111111/q');
  });

  it('refuse an account or region no address can be made of, saying what to pass instead', () => {
    expect(() => topicArn('t', { account: '1111', region: 'eu-west-1' })).toThrowError(
      new DestinationAddressError('topic t', "account '1111' is not an AWS account id (12 digits)"),
    );
    expect(() => queueUrl('q', { account: '111111111111', region: 'us-iso-east-1' })).toThrowError(DestinationAddressError);
    expect(new DestinationAddressError('queue q', 'why').message).toBe(
      "The address of queue q cannot be made: why. Pass the publisher's account and region, or the address itself in routes.",
    );
  });
});

describe('DestinationAddresses on AWS', () => {
  afterEach(() => {
    delete process.env.POSTBOX_ACCOUNT_ID;
  });

  it('finds topics and queues without a call, from the account and region it is given', async () => {
    const { sns, sqs, calls } = grantedNothing();
    const addresses = new DestinationAddresses(sns, sqs, { account: '111111111111' });
    await expect(addresses.of(topic)).resolves.toBe('arn:aws:sns:eu-west-1:111111111111:pay-dev-payments');
    await expect(addresses.of(queue)).resolves.toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/pay-dev-report-build');
    expect(calls).toEqual([]);
  });

  it("takes the account from POSTBOX_ACCOUNT_ID, which the stack sets, else from the credentials, and the region from the clients'", async () => {
    process.env.POSTBOX_ACCOUNT_ID = '222222222222';
    const fromEnvironment = grantedNothing({ region: 'ap-southeast-2' });
    await expect(new DestinationAddresses(fromEnvironment.sns, fromEnvironment.sqs).of(topic)).resolves.toBe(
      'arn:aws:sns:ap-southeast-2:222222222222:pay-dev-payments',
    );
    delete process.env.POSTBOX_ACCOUNT_ID;
    const fromCredentials = grantedNothing({ credentials: { ...keys, accountId: '333333333333' } });
    await expect(new DestinationAddresses(fromCredentials.sns, fromCredentials.sqs).of(queue)).resolves.toBe(
      'https://sqs.eu-west-1.amazonaws.com/333333333333/pay-dev-report-build',
    );
    expect([...fromEnvironment.calls, ...fromCredentials.calls]).toEqual([]);
  });

  it('computes addresses for an AWS endpoint given explicitly (FIPS, VPC endpoints) as for the default one', async () => {
    const { sns, sqs, calls } = grantedNothing({ endpoint: 'https://sns-fips.eu-west-1.amazonaws.com' });
    await expect(new DestinationAddresses(sns, sqs, { account: '111111111111' }).of(topic)).resolves.toBe('arn:aws:sns:eu-west-1:111111111111:pay-dev-payments');
    expect(calls).toEqual([]);
  });

  it.each(['https://sns.eu-west-1.amazonaws.com.', 'https://sns.eusc-de-east-1.amazonaws.eu', 'https://sns.us-iso-east-1.c2s.ic.gov'])(
    'takes any endpoint that is not loopback for AWS, %s too, and computes addresses without a call',
    async (endpoint) => {
      const { sns, sqs, calls } = grantedNothing({ endpoint });
      await expect(new DestinationAddresses(sns, sqs, { account: '111111111111' }).of(queue)).resolves.toBe(
        'https://sqs.eu-west-1.amazonaws.com/111111111111/pay-dev-report-build',
      );
      expect(calls).toEqual([]);
    },
  );

  it('says what to pass when no account is known, and tries again on the next send', async () => {
    const { sns, sqs, calls } = grantedNothing();
    const addresses = new DestinationAddresses(sns, sqs);
    await expect(addresses.of(topic)).rejects.toThrowError(
      new DestinationAddressError(
        'topic pay-dev-payments',
        'the AWS account is not known: set POSTBOX_ACCOUNT_ID or use credentials that name their account ' +
          '(at an emulator whose host is not loopback, such as LocalStack at http://localstack:4566, name its host in POSTBOX_EMULATOR_HOSTS)',
      ),
    );
    process.env.POSTBOX_ACCOUNT_ID = '111111111111';
    await expect(addresses.of(topic)).resolves.toBe('arn:aws:sns:eu-west-1:111111111111:pay-dev-payments');
    expect(calls).toEqual([]);
  });

  it('uses routes over everything', async () => {
    const { sns, sqs } = grantedNothing();
    const addresses = new DestinationAddresses(sns, sqs, { routes: { topicArns: { payments: 'arn:aws:sns:eu-west-1:444444444444:other' } } });
    await expect(addresses.of(topic)).resolves.toBe('arn:aws:sns:eu-west-1:444444444444:other');
  });
});

describe('DestinationAddresses at a local endpoint', () => {
  afterEach(() => {
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.POSTBOX_EMULATOR_HOSTS;
  });

  it('looks destinations up by name at a host named in POSTBOX_EMULATOR_HOSTS (LocalStack in a container network)', async () => {
    process.env.POSTBOX_EMULATOR_HOSTS = 'localstack';
    const given = grantedNothing({ endpoint: 'http://localstack:4566' });
    await expect(new DestinationAddresses(given.sns, given.sqs, { account: '111111111111' }).of(queue)).rejects.toThrowError(/GetQueueUrlCommand/);
    expect(given.calls).toEqual(['GetQueueUrlCommand']);
  });

  it("looks destinations up by name, so that addresses name the emulator's own account and endpoint", async () => {
    const given = grantedNothing({ endpoint: 'http://127.0.0.1:9' });
    await expect(new DestinationAddresses(given.sns, given.sqs, { account: '111111111111' }).of(queue)).rejects.toThrowError(/GetQueueUrlCommand/);
    process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';
    const fromEnvironment = grantedNothing();
    await expect(new DestinationAddresses(fromEnvironment.sns, fromEnvironment.sqs, { account: '111111111111' }).of(topic)).rejects.toThrowError(/ListTopicsCommand/);
    expect([...given.calls, ...fromEnvironment.calls]).toEqual(['GetQueueUrlCommand', 'ListTopicsCommand']);
  });
});

describe('Publisher on AWS', () => {
  it('publishes and sends with sns:Publish and sqs:SendMessage alone, to the addresses of its account and region', async () => {
    const { sns, sqs, calls } = grantedNothing({ region: 'us-east-1' }, ['PublishCommand', 'SendMessageCommand']);
    const sent: unknown[] = [];
    for (const client of [sns, sqs]) {
      const send = client.send as (command: { input: object }) => Promise<unknown>;
      client.send = ((command: { input: object }) => {
        sent.push(command.input);
        return send(command);
      }) as never;
    }
    const publisher = new Publisher(paymentsTopology, { stage: 'dev', source: 'test', sns, sqs, account: '111111111111', region: 'eu-west-1' });
    await publisher.publish('payment.received', { paymentId: 'p', amountCents: 1 });
    await publisher.send('report.build', { month: '2026-11' });
    expect(calls).toEqual(['PublishCommand', 'SendMessageCommand']);
    expect(sent).toMatchObject([
      { TopicArn: 'arn:aws:sns:eu-west-1:111111111111:pay-dev-payments' },
      { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/pay-dev-report-build' },
    ]);
  });

  it('refuses an account or region no address can be made of when it is made', () => {
    const { sns, sqs } = grantedNothing();
    expect(() => new Publisher(paymentsTopology, { source: 'test', sns, sqs, account: '1111', region: 'eu_west_1' })).toThrowError(
      new PublisherOptionsError(["account '1111' is not an AWS account id (12 digits)", "region 'eu_west_1' is not a region of the aws, aws-cn or aws-us-gov partitions"]),
    );
  });
});
