import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import type { ProjectConfig } from '../../config/load-project-config.ts';
import { localS3Client } from '../../local/local-environment.ts';
import { provisionTopology } from '../../local/provisioner.ts';
import { provisionOutboxTableWhereServed, provisionTablesWhereServed, provisionPayloadBucketWhereServed } from '../../local/store-provisioner.ts';
import { awsClientConfig } from '../../aws/aws-client-config.ts';
import { USER_ENVIRONMENT } from '../../messages/wire-contract.ts';
import { endpointClientOptions, isEmulatorEndpoint } from '../../aws/local-endpoint.ts';
import { CliContext, type CliIo, type GlobalOptions } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { formatTable } from '../table-format.ts';

/**
 * `postbox provision`: creates the topology's topics, queues, dead-letter queues, subscriptions, job lock
 * table, payload bucket and (with the config's `outbox`) outbox table at an emulator or LocalStack, as MessagingStack deploys them; run again, it brings them to the
 * declared settings. Never at AWS itself: a stage there is deployed with `cdk deploy`.
 *
 * An endpoint is an emulator when its host is loopback, or when the user names the host in
 * POSTBOX_EMULATOR_HOSTS (LocalStack in a container network). Everything else is taken for AWS: a list of
 * AWS's domains would miss some (amazonaws.eu, c2s.ic.gov, a trailing dot) and provision there.
 */
export function registerProvision(program: Command, config: () => Promise<ProjectConfig>, io: CliIo): void {
  program
    .command('provision')
    .description(
      "create the topology at an emulator or LocalStack (--endpoint or AWS_ENDPOINT_URL), under --stage or the config's local stage; idempotent. " +
        `The endpoint's host must be loopback (localhost, 127.0.0.0/8, ::1) or named in ${USER_ENVIRONMENT.emulatorHosts} (comma-separated, e.g. localstack); any other is taken for AWS and refused`,
    )
    .action(async () => {
      const options = program.opts<GlobalOptions>();
      const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
      if (!endpoint || !isEmulatorEndpoint(endpoint)) {
        const stage = options.stage ?? (await config()).stages.deployed;
        const why = endpoint
          ? `${endpoint} is taken for AWS (its host is not loopback, nor named in ${USER_ENVIRONMENT.emulatorHosts})`
          : 'no --endpoint or AWS_ENDPOINT_URL names one';
        throw new CliError(
          `provision creates a topology at an emulator or LocalStack only, and ${why}; deploy a stage to AWS with npx cdk deploy -c stage=${stage}`,
          ExitCode.invalidInput,
        );
      }
      const stage = options.stage ?? (await config()).stages.local;
      const context = await CliContext.create({ ...options, endpoint, stage }, io, config);
      const { topology } = context;
      const provisioned = await provisionTopology(topology, context.clients);
      const dynamodb = new DynamoDBClient(awsClientConfig(endpointClientOptions({ ...options, endpoint })));
      const { jobLockTable, idempotencyTable } = await provisionTablesWhereServed(topology, dynamodb, () =>
        io.err(`postbox: no job lock or idempotency table: ${endpoint} serves no DynamoDB; unique jobs lock within each worker process, and idempotency records are kept in memory there`),
      );
      const payloadBucket = await provisionPayloadBucketWhereServed(topology, localS3Client(endpointClientOptions({ ...options, endpoint })), () =>
        io.err(`postbox: no payload bucket: ${endpoint} serves no S3; a message over its destination's limit is refused there`),
      );
      // A --topology without a config has no outbox setting: the config's, as CliContext reads it.
      const withOutbox = options.topology && !options.config ? false : (await config()).outbox;
      const outboxTable = withOutbox
        ? await provisionOutboxTableWhereServed(topology, dynamodb, () => io.err(`postbox: no outbox table: ${endpoint} serves no DynamoDB; the outbox cannot be used there`))
        : undefined;
      const queues = topology.queues.map((queue) => {
        const at = provisioned.queues.get(queue.id)!;
        return {
          queue: queue.id,
          name: queue.name,
          url: at.url,
          deadLetterQueue: queue.deadLetterQueueName,
          ...(queue.subscription && { topic: queue.subscription.topicId, deliveryDeadLetterQueue: queue.subscription.deliveryDeadLetterQueueName }),
        };
      });
      const topics = topology.topics.map((topic) => ({ topic: topic.id, name: topic.name, arn: provisioned.topicArns.get(topic.id)! }));
      context.print({ app: topology.app, stage: topology.stage, endpoint, topics, queues, ...(jobLockTable && { jobLockTable }), ...(idempotencyTable && { idempotencyTable }), ...(payloadBucket && { payloadBucket }), ...(outboxTable && { outboxTable }) }, () =>
        [
          `Provisioned ${topology.app} (stage ${topology.stage}) at ${endpoint}: created what was missing, brought the rest to the declared settings.`,
          formatTable(
            ['kind', 'name', 'dead letters', 'subscribed to'],
            [
              ...topics.map((topic) => ['topic', topic.name, '', '']),
              ...queues.map((queue) => ['queue', queue.name, queue.deadLetterQueue, queue.topic ?? '']),
              ...(jobLockTable ? [['table', jobLockTable, '', '']] : []),
              ...(idempotencyTable ? [['table', idempotencyTable, '', '']] : []),
              ...(payloadBucket ? [['bucket', payloadBucket, '', '']] : []),
              ...(outboxTable ? [['table', outboxTable, '', '']] : []),
            ],
          ),
        ].join('\n'),
      );
    });
}
