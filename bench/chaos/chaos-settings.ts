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
  /** The second pass: every queue idempotent, its records in the stage's idempotency table. */
  readonly idempotent: boolean;
  /** The idempotent pass's effects table. */
  readonly effectsTable?: string;
}
