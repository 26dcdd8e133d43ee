#!/usr/bin/env node
import { messagingAppMain } from 'postbox/cdk';

// The CDK app of postbox.config.ts: `npx cdk synth`, `npx cdk deploy -c stage=prod -c alarmEmail=ops@example.com`.
await messagingAppMain();
