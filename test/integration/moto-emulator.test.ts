import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { expect, it } from 'vitest';
import { startMotoEmulator } from '../../lib/local/moto-emulator.ts';

it('serves requests when the environment names an empty AWS profile, as this test project does', async () => {
  expect(process.env.AWS_PROFILE).toBe('');
  const emulator = await startMotoEmulator();
  try {
    const sns = new SNSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'profile-check' }));
    expect(TopicArn).toMatch(/:profile-check$/);
  } finally {
    await emulator.stop();
  }
});
