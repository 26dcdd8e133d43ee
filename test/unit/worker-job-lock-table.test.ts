import { expect, it } from 'vitest';
import { workerJobLockTable } from '../../lib/cli/commands/worker-command.ts';

it("locks unique jobs in a deployed stage's own table, where its ECS tasks lock them, and within the process at an emulator", () => {
  expect(workerJobLockTable('orders', 'prod', undefined, {})).toBe('orders-prod-job-locks');
  expect(workerJobLockTable('orders', 'prod', 'https://sqs.eu-west-1.amazonaws.com', {})).toBe('orders-prod-job-locks');
  expect(workerJobLockTable('orders', 'local', 'http://127.0.0.1:4566', {})).toBeUndefined();
  expect(workerJobLockTable('orders', 'local', undefined, { AWS_ENDPOINT_URL: 'http://localhost:4566' })).toBeUndefined();
  expect(workerJobLockTable('orders', 'local', 'http://localstack:4566', { POSTBOX_EMULATOR_HOSTS: 'localstack' })).toBeUndefined();
  expect(workerJobLockTable('orders', 'prod', 'https://sqs.eusc-de-east-1.amazonaws.eu', {})).toBe('orders-prod-job-locks');
  expect(workerJobLockTable('orders', 'prod', undefined, { POSTBOX_JOB_LOCK_TABLE: 'shared-locks' })).toBe('shared-locks');
});
