import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorNotInstalledError } from '../../lib/local/local-errors.ts';
import { startServerProcess, type RunningServer } from '../../lib/local/server-process.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Starts ElasticMQ (SQS only), installed by `npm run emulator:install`, on
 * 127.0.0.1: the local SQS server that implements StartMessageMoveTask, which
 * moto lacks.
 */
export async function startElasticMq(options: { port?: number; startTimeoutMs?: number } = {}): Promise<RunningServer> {
  const jars = path.join(projectRoot, '.emulator/elasticmq/lib');
  if (!existsSync(jars)) throw new EmulatorNotInstalledError(jars);
  const config = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-elasticmq-')), 'elasticmq.conf');
  return startServerProcess({
    command: 'java',
    args: (port) => {
      writeFileSync(
        config,
        [
          'include classpath("application.conf")',
          `node-address { protocol = http, host = "127.0.0.1", port = ${port}, context-path = "" }`,
          `rest-sqs { enabled = true, bind-port = ${port}, bind-hostname = "127.0.0.1", sqs-limits = strict }`,
          'rest-stats { enabled = false }',
        ].join('\n'),
      );
      return [`-Dconfig.file=${config}`, '-cp', `${jars}/*`, 'org.elasticmq.server.Main'];
    },
    probePath: '/',
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
    ...(options.port !== undefined && { port: options.port }),
  });
}
