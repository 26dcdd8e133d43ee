/** What fauxqs's inspection answers of one queue; only the fields read here. */
interface Inspection {
  readonly messages?: {
    readonly ready?: readonly { readonly sentTimestamp?: number }[];
    readonly inflight?: readonly { readonly message?: { readonly sentTimestamp?: number } }[];
  };
}

/** Endpoints found to have no inspection (LocalStack, moto alone): asked once, not every step. */
const withoutInspection = new Set<string>();

/**
 * The age in seconds of the oldest message waiting or in flight on each queue named, where the endpoint is fauxqs:
 * SQS's attributes have no age, and the emulator publishes no CloudWatch figure, but fauxqs shows a queue's messages
 * without receiving them (`/_fauxqs/queues/<name>`). Queues it cannot tell are left out.
 */
export async function emulatorOldestAges(endpoint: string, queueNames: readonly string[], now: number): Promise<Map<string, number>> {
  const ages = new Map<string, number>();
  if (withoutInspection.has(endpoint)) return ages;
  await Promise.all(
    queueNames.map(async (name) => {
      let inspection: Inspection;
      try {
        const response = await fetch(new URL(`/_fauxqs/queues/${encodeURIComponent(name)}`, endpoint), { signal: AbortSignal.timeout(1_000) });
        if (response.status === 404 && !(await response.text()).includes('not found')) withoutInspection.add(endpoint);
        if (!response.ok) return;
        inspection = (await response.json()) as Inspection;
      } catch {
        return;
      }
      // A loop, not Math.min(...): a backlog of many thousands would overflow the call's arguments.
      let oldest = Number.POSITIVE_INFINITY;
      for (const message of [...(inspection.messages?.ready ?? []), ...(inspection.messages?.inflight ?? []).map((entry) => entry.message ?? {})]) {
        if (typeof message.sentTimestamp === 'number' && message.sentTimestamp < oldest) oldest = message.sentTimestamp;
      }
      if (oldest !== Number.POSITIVE_INFINITY) ages.set(name, Math.max(0, Math.round((now - oldest) / 1000)));
    }),
  );
  return ages;
}
