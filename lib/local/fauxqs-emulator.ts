import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { motoInstalled, startMotoEmulator, type RunningEmulator } from './moto-emulator.ts';
import { unsupportedNodeReason } from '../config/supported-node.ts';
import { NodeTooOldError } from './local-errors.ts';
import { startServerProcess } from './server-process.ts';

const main = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fauxqs-main.mjs');

export interface FauxqsEmulatorOptions {
  /**
   * Port to listen on.
   * @default a free port chosen by the system
   */
  readonly port?: number;
  /**
   * Run moto behind fauxqs for DynamoDB and CloudWatch. Without it fauxqs serves SQS and SNS alone: no job
   * lock table, no CloudWatch figures.
   * @default whether moto is installed (`npm run emulator:install`)
   */
  readonly moto?: boolean;
  /**
   * How long to wait for the servers to answer.
   * @default 30_000 ms
   */
  readonly startTimeoutMs?: number;
}

/**
 * Starts fauxqs, the fast SQS and SNS emulator (thousands of messages a
 * second, at any queue depth; FIFO topics to FIFO queues), on 127.0.0.1, with
 * moto behind the same endpoint for the services fauxqs lacks (DynamoDB,
 * CloudWatch), when it is installed: one endpoint serves every client, as LocalStack's does.
 * fauxqs runs in a Node.js process of its own, so it never competes with the
 * code under test for this process's event loop.
 */
export async function startFauxqsEmulator(options: FauxqsEmulatorOptions = {}): Promise<RunningEmulator> {
  requireNodeForFauxqs();
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const moto = (options.moto ?? motoInstalled()) ? await startMotoEmulator({ startTimeoutMs }) : undefined;
  try {
    const fauxqs = await startServerProcess({
      command: process.execPath,
      args: (port) => [main, String(port), ...(moto ? [moto.endpoint] : [])],
      probePath: '/health',
      startTimeoutMs,
      ...(options.port !== undefined && { port: options.port }),
    });
    return {
      endpoint: fauxqs.endpoint,
      port: fauxqs.port,
      dynamodb: moto !== undefined,
      stop: async () => {
        await fauxqs.stop();
        await moto?.stop();
      },
    };
  } catch (error) {
    await moto?.stop();
    throw error;
  }
}

/** fauxqs loads `node:sqlite`: a test system started on an older Node.js says so in one line rather than failing there. */
export function requireNodeForFauxqs(version: string = process.versions.node): void {
  const reason = unsupportedNodeReason(version);
  if (reason) throw new NodeTooOldError(version, reason);
}
