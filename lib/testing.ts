/** `postbox/testing`: a service's integration tests in a few lines, and the pieces the local system is made of. */
export { startTestSystem, type TestSystem, type TestSystemOptions } from './local/test-system.ts';
export type { MessageOutcome, WaitForOptions } from './local/message-outcome-log.ts';
export { TestSystemError, WaitTimeoutError } from './local/test-system-errors.ts';
export { startEmbeddedEmulator, emulatorKind, type EmulatorKind, type RunningEmulator } from './local/embedded-emulator.ts';
export { provisionTopology, type ProvisionedTopology } from './local/provisioner.ts';
export { provisionOutboxTable, provisionPayloadBucket } from './local/store-provisioner.ts';
export { startLocalSystem, type LocalSystem, type LocalSystemOptions } from './local/local-system.ts';
export type { DemoContext, StartDemo } from './local/demo-context.ts';
