import { describe, expect, it } from 'vitest';
import { fixedMonthlyCost } from '../../lib/cost/fixed-monthly-cost.ts';

const fargate = (assignPublicIp: 'ENABLED' | 'DISABLED', minCapacity?: number) => ({
  Resources: {
    Definition: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '512', Memory: '1024', RequiresCompatibilities: ['FARGATE'], RuntimePlatform: { CpuArchitecture: 'ARM64' } } },
    Service: {
      Type: 'AWS::ECS::Service',
      Properties: { DesiredCount: 1, TaskDefinition: { Ref: 'Definition' }, NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: assignPublicIp } } },
    },
    ...(minCapacity !== undefined && {
      Target: {
        Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
        Properties: { MinCapacity: minCapacity, ResourceId: { 'Fn::Join': ['', ['service/', { Ref: 'Cluster' }, '/', { 'Fn::GetAtt': ['Service', 'Name'] }]] } },
      },
    }),
  },
});

describe('the fixed monthly cost of a stage', () => {
  it('prices what is billed by the hour or the month, item by item, from the templates of the stack and its nested stacks', () => {
    const stack = {
      Resources: {
        Nat: { Type: 'AWS::EC2::NatGateway' },
        Address: { Type: 'AWS::EC2::EIP' },
        Key: { Type: 'AWS::KMS::Key' },
        Dashboard: { Type: 'AWS::CloudWatch::Dashboard' },
        Queue: { Type: 'AWS::SQS::Queue' },
      },
    };
    const nested = {
      Resources: {
        Depth: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' } },
        // Metric math: billed per metric it reads, not per expression.
        Backlog: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'expr', Expression: 'a+b' }, { Id: 'a', MetricStat: {} }, { Id: 'b', MetricStat: {} }] } },
        Endpoint: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['s1', 's2'] } },
        Gateway: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
      },
    };
    expect(fixedMonthlyCost([stack, nested])).toEqual([
      { item: 'NAT gateway', count: 1, unitPrice: 32.85, monthly: 32.85, note: 'plus $0.045 per GB it carries' },
      { item: 'public IPv4 address', count: 1, unitPrice: 3.65, monthly: 3.65 },
      { item: 'VPC interface endpoint, per Availability Zone', count: 2, unitPrice: 7.3, monthly: 14.6 },
      { item: 'CloudWatch alarm metric (2 alarms)', count: 3, unitPrice: 0.1, monthly: 0.3 },
      { item: 'CloudWatch dashboard', count: 1, unitPrice: 3, monthly: 3, note: "free if among the account's first 3" },
      { item: 'KMS customer-managed key', count: 1, unitPrice: 1, monthly: 1, note: 'plus $0.03 per 10,000 requests' },
    ]);
  });

  it("counts a Fargate service's tasks at its scaling minimum, with a public address each when they get one", () => {
    expect(fixedMonthlyCost([fargate('DISABLED', 1)])).toEqual([{ item: 'Fargate task (0.5 vCPU, 1 GB, ARM64), always running', count: 1, unitPrice: 14.42, monthly: 14.42 }]);
    expect(fixedMonthlyCost([fargate('ENABLED')]).map((item) => [item.item, item.count])).toEqual([
      ['Fargate task (0.5 vCPU, 1 GB, ARM64), always running', 1],
      ['public IPv4 address', 1],
    ]);
    // Scaled to zero when idle: nothing runs, nothing is billed.
    expect(fixedMonthlyCost([fargate('ENABLED', 0)])).toEqual([]);
  });
});
