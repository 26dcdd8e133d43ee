import { describe, expect, it } from 'vitest';
import { snsDeliveryPrincipals } from '../../lib/infra/sns-delivery-principals.ts';

// AWS's rules for SNS delivering to SQS in another region: https://docs.aws.amazon.com/sns/latest/dg/sns-cross-region-delivery.html
const OPT_IN_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6',
  'ap-southeast-7', 'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
];

describe('the SNS principal a queue policy names for a topic', () => {
  it('is sns.amazonaws.com in one region, opt-in or not', () => {
    expect(snsDeliveryPrincipals('eu-west-1', 'eu-west-1')).toEqual(['sns.amazonaws.com']);
    expect(snsDeliveryPrincipals('ap-east-1', 'ap-east-1')).toEqual(['sns.amazonaws.com']);
  });

  it('is sns.amazonaws.com between regions enabled by default', () => {
    expect(snsDeliveryPrincipals('us-east-1', 'eu-west-1')).toEqual(['sns.amazonaws.com']);
  });

  it.each(OPT_IN_REGIONS)('from opt-in %s into a default region is the topic region’s own', (region) => {
    expect(snsDeliveryPrincipals(region, 'eu-west-1')).toEqual([`sns.${region}.amazonaws.com`]);
  });

  it.each(OPT_IN_REGIONS)('from a default region into opt-in %s is the queue region’s own', (region) => {
    expect(snsDeliveryPrincipals('us-east-1', region)).toEqual([`sns.${region}.amazonaws.com`]);
  });

  it('between two opt-in regions is the queue region’s own', () => {
    expect(snsDeliveryPrincipals('ap-east-1', 'me-south-1')).toEqual(['sns.me-south-1.amazonaws.com']);
  });

  it('takes a region CDK does not know yet for an opt-in one, as every region launched since 2019 is', () => {
    expect(snsDeliveryPrincipals('xx-future-1', 'eu-west-1')).toEqual(['sns.xx-future-1.amazonaws.com']);
    expect(snsDeliveryPrincipals('eu-west-1', 'xx-future-1')).toEqual(['sns.xx-future-1.amazonaws.com']);
  });

  it('names both the global and the opt-in topic region’s principal when the queue’s region is unknown at synthesis', () => {
    expect(snsDeliveryPrincipals('ap-east-1', undefined)).toEqual(['sns.amazonaws.com', 'sns.ap-east-1.amazonaws.com']);
    expect(snsDeliveryPrincipals('eu-west-1', undefined)).toEqual(['sns.amazonaws.com']);
  });
});
