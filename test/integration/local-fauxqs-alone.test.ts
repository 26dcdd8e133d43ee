import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startFauxqsEmulator } from '../../lib/local/fauxqs-emulator.ts';
import { createAwsClients } from '../../lib/runtime/aws-clients.ts';
import { endpointClientOptions } from '../../lib/runtime/local-endpoint.ts';

describe('fauxqs without moto (npm start before the test suite installed moto)', () => {
  it('serves SQS and SNS alone and says it has no DynamoDB', async () => {
    const emulator = await startFauxqsEmulator({ moto: false });
    try {
      expect(emulator.dynamodb).toBe(false);
      const { sqs } = createAwsClients(endpointClientOptions({ endpoint: emulator.endpoint }));
      await sqs.send(new CreateQueueCommand({ QueueName: 'alone' }));
      expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'alone' }))).QueueUrl).toMatch(/alone$/);
    } finally {
      await emulator.stop();
    }
  });
});
