// The fauxqs emulator process: `node fauxqs-main.mjs <port> [<fallback endpoint>]`.
// One loopback endpoint, as LocalStack offers: requests signed for SQS or SNS are served by fauxqs in this
// process; every other service (DynamoDB, CloudWatch) is passed on to the fallback endpoint (moto), so that
// clients need only AWS_ENDPOINT_URL. Plain JavaScript, so it starts with `node` alone, without a TypeScript loader.
// fauxqs's own start function binds 0.0.0.0; this listens on 127.0.0.1 only.
import http from 'node:http';
import { buildApp } from 'fauxqs';

const [portText, fallback] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node fauxqs-main.mjs <port> [<fallback endpoint>]');
  process.exit(2);
}

// Queue URLs name the address clients reached (http://127.0.0.1:<port>/000000000000/<queue>) rather than
// fauxqs's default sqs.<region>.localhost, which does not resolve here and which the SDK would send to when
// it takes a queue URL's host as its endpoint. Its stores are not exported, hence the import by file.
const dist = new URL('.', import.meta.resolve('fauxqs'));
const [{ SqsStore }, { SnsStore }, { S3Store }] = await Promise.all(
  ['sqs/sqsStore.js', 'sns/snsStore.js', 's3/s3Store.js'].map((file) => import(new URL(file, dist).href)),
);
const sqsStore = new SqsStore();
sqsStore.host = '';
const app = buildApp({ logger: false, stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() } });
await app.ready();

/** The service a request is signed for: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
function signedService(request) {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
}

function passOn(request, response) {
  if (!fallback) {
    response.writeHead(501, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: `fauxqs serves SQS and SNS only; ${signedService(request)} needs a fallback emulator` }));
    return;
  }
  const target = new URL(request.url ?? '/', fallback);
  const upstream = http.request(target, { method: request.method, headers: { ...request.headers, host: target.host } }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', (error) => {
    response.writeHead(502, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: `the fallback emulator at ${fallback} did not answer: ${error.message}` }));
  });
  request.pipe(upstream);
}

const server = http.createServer((request, response) => {
  const service = signedService(request);
  const forFauxqs = service === undefined ? !request.url?.startsWith('/moto-api') : service === 'sqs' || service === 'sns';
  if (forFauxqs) app.routing(request, response);
  else passOn(request, response);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');

const stop = () => {
  server.close(() => void app.close().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
