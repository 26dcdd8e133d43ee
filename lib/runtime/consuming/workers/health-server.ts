import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthProblem } from '../polling/consumer-health.ts';
import type { PollingConsumer } from '../polling/polling-consumer.ts';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `GET /health` for container health checks: 200 while every consumer is
 * polling (its receives not failing, and a receive returned within
 * `staleAfterSeconds`, or it is busy with tasks), 503 otherwise, with each
 * consumer's health as JSON and, for an unhealthy one, its `problem`.
 */
export function startHealthServer(consumers: readonly PollingConsumer[], port: number, staleAfterSeconds = 60): Promise<HealthServer> {
  const server = http.createServer((request, response) => {
    if (request.url !== '/health') {
      response.writeHead(404).end();
      return;
    }
    const now = Date.now();
    const report = consumers.map((consumer) => {
      const health = consumer.health();
      const problem = healthProblem(health, now, staleAfterSeconds);
      return problem === undefined ? health : { ...health, problem };
    });
    const healthy = report.every((health) => !('problem' in health));
    response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ healthy, consumers: report }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
