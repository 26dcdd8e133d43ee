import { writeMetricLine } from './log-output.ts';

/**
 * Per-message-type counters and durations, flushed as CloudWatch embedded
 * metric format (EMF) lines: CloudWatch turns each line into metrics, with no
 * API call from the handler. Written by hand for the same reason as the logger.
 */
export type MessageMetric = 'Processed' | 'Failed' | 'Retried' | 'DeadLettered' | 'Duplicate';

const METRIC_DEFINITIONS = JSON.stringify([
  ...(['Processed', 'Failed', 'Retried', 'DeadLettered', 'Duplicate'] satisfies MessageMetric[]).map((name) => ({ Name: name, Unit: 'Count' })),
  { Name: 'Duration', Unit: 'Milliseconds' },
]);
/** A continuation document declares only Duration: EMF needs every declared metric in the document, and a count of 0 would be a sample. */
const DURATION_DEFINITION = JSON.stringify([{ Name: 'Duration', Unit: 'Milliseconds' }]);
/** CloudWatch drops an EMF document with more than 100 values for one metric. */
export const EMF_MAX_VALUES_PER_METRIC = 100;

interface TypeMetrics {
  counts: Record<MessageMetric, number>;
  /** In whole microseconds: written as milliseconds with three decimals at most. */
  durations: number[];
}

/**
 * What the documents of one handler's metrics share, every invocation's alike: the namespace, the queue, where lines
 * go, and for each message type the part of its document that never changes, made on its first flush.
 */
class DocumentFormat {
  private readonly fixedParts = new Map<string, string>();

  constructor(
    private readonly namespaceJson: string,
    private readonly queueJson: string,
    readonly write: (line: string) => void,
  ) {}

  /** From after the timestamp to the properties (without the request id) of a document of `messageType` declaring `definitions`. */
  fixedPart(messageType: string, definitions: string): string {
    return `,"CloudWatchMetrics":[{"Namespace":${this.namespaceJson},"Dimensions":[["Queue","MessageType"]],"Metrics":${definitions}}]},"Queue":${this.queueJson},"MessageType":${JSON.stringify(messageType)}`;
  }

  /** fixedPart of the first document of a type, kept: it is written after every batch. Types come from the catalog, so they are few. */
  firstFixedPart(messageType: string): string {
    let part = this.fixedParts.get(messageType);
    if (part === undefined) {
      part = this.fixedPart(messageType, METRIC_DEFINITIONS);
      this.fixedParts.set(messageType, part);
    }
    return part;
  }
}

export class EmfMetrics {
  private readonly byType = new Map<string, TypeMetrics>();
  private readonly format: DocumentFormat;
  /** `,"requestId":"…"` in the documents of one invocation's metrics, else empty. */
  private readonly requestIdJson: string;

  constructor(namespace: string, queue: string, write?: (line: string) => void);
  /** One invocation's: made for every batch, so it takes the handler's format as it is. */
  constructor(format: DocumentFormat, requestIdJson: string);
  constructor(namespaceOrFormat: string | DocumentFormat, queueOrRequestIdJson: string, write: (line: string) => void = writeMetricLine) {
    if (typeof namespaceOrFormat === 'string') {
      this.format = new DocumentFormat(JSON.stringify(namespaceOrFormat), JSON.stringify(queueOrRequestIdJson), write);
      this.requestIdJson = '';
    } else {
      this.format = namespaceOrFormat;
      this.requestIdJson = queueOrRequestIdJson;
    }
  }

  /**
   * New, empty metrics of the same namespace and queue for one invocation, whose documents name its request:
   * invocations that run at once (Lambda Managed Instances) each count and write their own.
   */
  forInvocation(requestId: string | undefined): EmfMetrics {
    return new EmfMetrics(this.format, requestId === undefined ? '' : `,"requestId":${JSON.stringify(requestId)}`);
  }

  count(messageType: string, metric: MessageMetric): void {
    this.of(messageType).counts[metric] += 1;
  }

  /** Counts a message as processed or failed and records how long it took. */
  record(messageType: string, metric: 'Processed' | 'Failed', milliseconds: number): void {
    const metrics = this.of(messageType);
    metrics.counts[metric] += 1;
    // To the microsecond, kept whole: a double's shortest digits are the costliest part of writing a document (see `npm run bench`).
    metrics.durations.push(Math.round(milliseconds * 1000));
  }

  /**
   * Writes one EMF line per message type seen since the last flush, and one
   * more per further 100 durations of a type.
   */
  flush(): void {
    if (this.byType.size === 0) return;
    const { format, requestIdJson } = this;
    const timestamp = Date.now();
    // Only the values change from batch to batch: the rest of a type's first document is made once (see `npm run bench`).
    for (const [messageType, { counts, durations }] of this.byType) {
      format.write(
        `{"_aws":{"Timestamp":${timestamp}${format.firstFixedPart(messageType)}${requestIdJson},"Processed":${counts.Processed},"Failed":${counts.Failed},` +
          `"Retried":${counts.Retried},"DeadLettered":${counts.DeadLettered},"Duplicate":${counts.Duplicate},"Duration":[${durationList(durations, 0)}]}`,
      );
      for (let start = EMF_MAX_VALUES_PER_METRIC; start < durations.length; start += EMF_MAX_VALUES_PER_METRIC) {
        format.write(`{"_aws":{"Timestamp":${timestamp}${format.fixedPart(messageType, DURATION_DEFINITION)}${requestIdJson},"Duration":[${durationList(durations, start)}]}`);
      }
    }
    this.byType.clear();
  }

  private of(messageType: string): TypeMetrics {
    let metrics = this.byType.get(messageType);
    if (metrics === undefined) {
      metrics = { counts: { Processed: 0, Failed: 0, Retried: 0, DeadLettered: 0, Duplicate: 0 }, durations: [] };
      this.byType.set(messageType, metrics);
    }
    return metrics;
  }
}

/** The (at most 100) durations of one document from `start`, comma-separated, in milliseconds. */
function durationList(microseconds: number[], start: number): string {
  const end = Math.min(start + EMF_MAX_VALUES_PER_METRIC, microseconds.length);
  let list = '';
  for (let index = start; index < end; index++) list += (index === start ? '' : ',') + millisecondsText(microseconds[index]!);
  return list;
}

/** `.001` to `.999` without trailing zeros, by thousandths; '' for none. Made on the first flush, not at a cold start. */
let thousandths: string[] | undefined;

/**
 * `String(microseconds / 1000)` for whole microseconds (exact up to about 4e15, 139 years): an integer and a
 * looked-up fraction cost a third of what the shortest digits of a double do (see `npm run bench`).
 */
export function millisecondsText(microseconds: number): string {
  thousandths ??= Array.from({ length: 1000 }, (_, n) => (n === 0 ? '' : `.${String(n).padStart(3, '0').replace(/0+$/, '')}`));
  const whole = Math.floor(microseconds / 1000);
  return `${whole}${thousandths[microseconds - whole * 1000]}`;
}
