import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { provisionTopology } from '../../lib/local/provisioner.ts';
import { provisionPayloadBucket } from '../../lib/local/store-provisioner.ts';
import { readPayloadPointer } from '../../lib/messages/payload-pointer.ts';
import { Publisher } from '../../lib/runtime/publishing/publisher.ts';
import { resolveTopology } from '../../lib/topology/resolve-topology.ts';
import { emulatorClients, emulatorS3, uniqueStage } from '../helpers/emulator.ts';
import { paymentsTopology } from '../helpers/payments-topology.ts';
import { receiveAvailable } from '../helpers/queue-probe.ts';

const clients = emulatorClients();
const s3 = emulatorS3();

describe('a Publisher given its SNS and SQS clients but no S3 client', () => {
  it('stores a large payload at the endpoint of its clients, as the CLI with --endpoint does, not at AWS', async () => {
    const stage = uniqueStage();
    const topology = resolveTopology(paymentsTopology, { stage });
    const provisioned = await provisionTopology(topology, clients);
    const payloadBucket = (await provisionPayloadBucket(topology, s3))!;
    const publisher = new Publisher(paymentsTopology, { stage, source: 'cli', sns: clients.sns, sqs: clients.sqs, payloadBucket });
    await publisher.publish('payment.received', { paymentId: 'p'.repeat(300 * 1024), amountCents: 1 });
    const [message] = await receiveAvailable(clients.sqs, provisioned.queues.get('accounting')!.url, { expected: 1 });
    const pointer = readPayloadPointer(message!.MessageId!, message!.Body!);
    const stored = await s3.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    expect(JSON.parse(await stored.Body!.transformToString()).data.paymentId).toHaveLength(300 * 1024);
  });
});
