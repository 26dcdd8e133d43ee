/** `postbox/testing`: the whole system in-process against the embedded emulator, for a service's own tests. */
export { startEmbeddedEmulator, emulatorKind, type EmulatorKind, type RunningEmulator } from './local/embedded-emulator.ts';
export { provisionTopology, type ProvisionedTopology } from './local/provisioner.ts';
export { startLocalSystem, type LocalSystem, type LocalSystemOptions } from './local/local-system.ts';
export type { DemoContext, StartDemo } from './local/demo-context.ts';
