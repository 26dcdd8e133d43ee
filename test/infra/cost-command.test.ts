import { describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli/postbox-cli.ts';

async function cost(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['cost', ...args], { out: (text) => out.push(text), err: (text) => err.push(text), interactive: false });
  return { code, out: out.join('\n'), err };
}

describe('postbox cost', () => {
  it("prices the example's stage from its synthesized template: idle items, each path per million, and a month at --messages", async () => {
    const { code, out } = await cost('--json', '--stage', 'prod', '--messages', '2000000');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.stage).toBe('orders-prod');
    // The example's config names prod a production stage.
    expect(report.profile).toBe('production');
    expect(report.items.map((item: { item: string; count: number }) => [item.item, item.count])).toEqual([
      ['NAT gateway', 1],
      ['Fargate task (0.5 vCPU, 1 GB, ARM64), always running', 1],
      ['public IPv4 address', 1],
      ['CloudWatch alarm metric (16 alarms)', 20],
      ['CloudWatch dashboard', 1],
      ['KMS customer-managed key', 2],
      ['empty long polls (11 open at a time, 1.4 M receives)', 11],
    ]);
    expect(report.idleMonthly).toBe(58.5);
    // No queue of the example keeps provisioned pollers: nothing is left unpriced.
    expect(report.unpriced).toEqual([]);
    expect(report.otherProfile).toEqual({ profile: 'development', idleMonthly: 2.53 });
    expect(report.paths).toHaveLength(4);
    const perMillion = report.paths.reduce((sum: number, path: { perMillion: number }) => sum + path.perMillion, 0);
    expect(report.monthly).toBeCloseTo(58.5 + 2 * perMillion, 2);
  });

  it("prices the example's development stage at $5 a month or less idle: no NAT gateway, no task running, dead-letter alarms, one key", async () => {
    const { code, out } = await cost('--json', '--stage', 'dev');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.profile).toBe('development');
    expect(report.items.map((item: { item: string; count: number }) => [item.item, item.count])).toEqual([
      ['CloudWatch alarm metric (8 alarms)', 10],
      ['KMS customer-managed key', 1],
      ['empty long polls (10 open at a time, 1.3 M receives)', 10],
    ]);
    expect(report.idleMonthly).toBeLessThanOrEqual(5);
    expect(report.otherProfile).toEqual({ profile: 'production', idleMonthly: 58.5 });
  });

  it('prints the tables with the profile, the prices named and dated, and the other profile beside them', async () => {
    const { code, out } = await cost();
    expect(code).toBe(0);
    expect(out).toMatch(/^orders-dev \(development profile\): \$2\.53 a month idle \(us-east-1 list prices of \d{4}-\d{2}-\d{2}, before free tiers\)/);
    expect(out).toContain('under the production profile: $58.50 a month idle');
    expect(out).toContain('per million messages on each path');
  });

  it('itemizes the stage under the profile --stage-profile names', async () => {
    const { code, out } = await cost('--json', '--stage-profile', 'production');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ stage: 'orders-dev', profile: 'production', idleMonthly: 58.5 });
  });

  it('refuses a bad option value with one line and exit 2', async () => {
    expect(await cost('--messages', 'many')).toMatchObject({ code: 2, err: [expect.stringMatching(/^postbox: .*--messages/)] });
    expect(await cost('--lambda-ms', '0')).toMatchObject({ code: 2, err: [expect.stringMatching(/^postbox: .*--lambda-ms/)] });
    expect(await cost('--stage-profile', 'staging')).toMatchObject({ code: 2, err: [expect.stringMatching(/^postbox: .*--stage-profile/)] });
  });

  // Found by a new user's trial of issue 22: `--profile production` was taken silently as the AWS profile.
  it('refuses --profile, the AWS profile, and names --stage-profile instead', async () => {
    expect(await cost('--profile', 'production')).toMatchObject({ code: 2, out: '', err: [expect.stringMatching(/^postbox: --profile names an AWS profile, .*--stage-profile production\|development/)] });
  });

  it('warns, as synthesis does, when a stage named like production gets the development profile by default', async () => {
    const { code, out, err } = await cost('--stage', 'eu-live');
    expect(code).toBe(0);
    expect(err).toEqual([expect.stringMatching(/^postbox: warning: stage 'eu-live' is deployed with the development profile .*profiles: \{ 'eu-live': 'production' \}/)]);
    expect(out).toContain('(postbox cost --stage eu-live --stage-profile production itemizes it)');
    expect((await cost('--stage', 'prod')).err).toEqual([]);
  });

  it("lists the options every command takes (--stage, --json) in its own help", async () => {
    const { out } = await cost('--help');
    expect(out).toMatch(/--stage <stage>/);
    expect(out).toMatch(/--json/);
  });
});
