import { PostboxError } from '../postbox-error.ts';
import { startFauxqsEmulator } from './fauxqs-emulator.ts';
import { startMotoEmulator, type RunningEmulator } from './moto-emulator.ts';
import { USER_ENVIRONMENT } from '../messages/wire-contract.ts';

export type { RunningEmulator } from './moto-emulator.ts';

/** The SQS and SNS emulators Postbox runs on this machine. */
export const EMULATOR_KINDS = ['fauxqs', 'moto'] as const;
export type EmulatorKind = (typeof EMULATOR_KINDS)[number];

/** POSTBOX_EMULATOR names no emulator Postbox knows. */
export class UnknownEmulatorError extends PostboxError {
  readonly code = 'UNKNOWN_EMULATOR';

  constructor(readonly kind: string) {
    super(`POSTBOX_EMULATOR is '${kind}', which is no emulator Postbox runs; set it to ${EMULATOR_KINDS.map((k) => `'${k}'`).join(' or ')}, or unset it for fauxqs.`);
  }
}

/**
 * The SQS and SNS emulator asked for in POSTBOX_EMULATOR: fauxqs by default,
 * the fast one; moto, slower as queues fill, as a second opinion (what one
 * emulator gets wrong, another may catch).
 */
export function emulatorKind(env: NodeJS.ProcessEnv = process.env): EmulatorKind {
  const kind = env[USER_ENVIRONMENT.emulator]?.trim() || 'fauxqs';
  if (!(EMULATOR_KINDS as readonly string[]).includes(kind)) throw new UnknownEmulatorError(kind);
  return kind as EmulatorKind;
}

/** Starts the emulator of that kind on 127.0.0.1: one endpoint for SQS, SNS, DynamoDB and CloudWatch. */
export function startEmbeddedEmulator(kind: EmulatorKind = emulatorKind()): Promise<RunningEmulator> {
  return kind === 'fauxqs' ? startFauxqsEmulator() : startMotoEmulator();
}
