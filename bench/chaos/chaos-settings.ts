import type { SdkFaults } from './faulty-sqs-client.ts';
import type { FaultRates } from './fault-plan.ts';

/** What the orchestrator hands each worker process: where to connect, what to inject, where to record. */
export interface ChaosWorkerSettings {
  readonly endpoint: string;
  readonly stage: string;
  readonly seed: string;
  readonly rates: FaultRates;
  readonly sdkFaults: SdkFaults;
  readonly ledgerDirectory: string;
  readonly jobLockTable: string;
  readonly logFile: string;
}
