/** `postbox/testing`: a service's integration tests in a few lines, on the emulator `postbox dev` runs. */
export { startTestSystem, type TestSystem, type TestSystemOptions } from './local/test-system.ts';
export type { MessageOutcome, WaitForOptions } from './local/message-outcome-log.ts';
export { TestSystemError, WaitTimeoutError } from './local/test-system-errors.ts';
export { provisionOutboxTable, provisionPayloadBucket } from './local/store-provisioner.ts';
export type { DemoContext, StartDemo } from './local/demo-context.ts';
