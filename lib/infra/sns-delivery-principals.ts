import { RegionInfo } from 'aws-cdk-lib/region-info';

/** The principal SNS delivers as within a region, and between regions enabled by default. */
export const GLOBAL_SNS_PRINCIPAL = 'sns.amazonaws.com';

/**
 * The SNS service principals a queue's policy must name for a topic of `topicRegion` to deliver into it.
 *
 * Across regions, SNS delivers as a regional principal when an opt-in region is involved (AWS's "cross-region
 * delivery" rules): into an opt-in region as `sns.<queue region>.amazonaws.com`, from an opt-in region into a
 * default one as `sns.<topic region>.amazonaws.com`. A policy that names only `sns.amazonaws.com` then refuses
 * the delivery and SNS drops the message, silently. A region that CDK's region table does not know counts as
 * opt-in: every region launched since 2019 is, and the regions enabled by default are all in the table.
 *
 * @param queueRegion the queue's region, `undefined` when unknown at synthesis (a stack without region): then
 *   the global principal, and the topic's regional one when its region is opt-in, as either may be the one SNS uses.
 */
export function snsDeliveryPrincipals(topicRegion: string, queueRegion: string | undefined): readonly string[] {
  const regional = (region: string) => `sns.${region}.amazonaws.com`;
  if (queueRegion === undefined) return isOptInRegion(topicRegion) ? [GLOBAL_SNS_PRINCIPAL, regional(topicRegion)] : [GLOBAL_SNS_PRINCIPAL];
  if (queueRegion === topicRegion) return [GLOBAL_SNS_PRINCIPAL];
  if (isOptInRegion(queueRegion)) return [regional(queueRegion)];
  if (isOptInRegion(topicRegion)) return [regional(topicRegion)];
  return [GLOBAL_SNS_PRINCIPAL];
}

function isOptInRegion(region: string): boolean {
  const info = RegionInfo.get(region);
  return info.partition === undefined || info.isOptInRegion;
}
