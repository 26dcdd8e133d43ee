import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorNotInstalledError } from './local-errors.ts';
import { startServerProcess, type RunningServer } from './server-process.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running emulator: one endpoint for every service it serves. */
export interface RunningEmulator extends RunningServer {
  /** Whether it serves DynamoDB (and CloudWatch): moto does, fauxqs only with moto behind it. */
  readonly dynamodb: boolean;
}

/** moto_server as `npm run emulator:install` installs it. */
export const MOTO_EXECUTABLE = path.join(projectRoot, '.emulator/venv/bin/moto_server');

/** Whether moto is installed in the project. */
export function motoInstalled(): boolean {
  return existsSync(MOTO_EXECUTABLE);
}

export interface MotoEmulatorOptions {
  /**
   * Port to listen on.
   * @default a free port chosen by the system
   */
  readonly port?: number;
  /**
   * The moto_server executable.
   * @default .emulator/venv/bin/moto_server, installed by `npm run emulator:install`
   */
  readonly executable?: string;
  /**
   * How long to wait for the server to answer.
   * @default 30_000 ms
   */
  readonly startTimeoutMs?: number;
}

/**
 * Starts moto's server, the AWS emulator that tests and `npm start` talk to,
 * on 127.0.0.1. Resolves once it answers HTTP.
 */
export async function startMotoEmulator(options: MotoEmulatorOptions = {}): Promise<RunningEmulator> {
  const executable = options.executable ?? MOTO_EXECUTABLE;
  if (!existsSync(executable)) throw new EmulatorNotInstalledError(executable);
  // moto runs botocore, which fails every request (HTTP 500) when a named profile, even an empty name, is not in
  // ~/.aws/config; an emulator needs no profile.
  const { AWS_PROFILE: _profile, AWS_DEFAULT_PROFILE: _defaultProfile, ...env } = process.env;
  const server = await startServerProcess({
    command: executable,
    args: (port) => ['-H', '127.0.0.1', '-p', String(port)],
    env,
    probePath: '/moto-api/data.json',
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    ...(options.port !== undefined && { port: options.port }),
  });
  return { ...server, dynamodb: true };
}
