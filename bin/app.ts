#!/usr/bin/env node
import { messagingAppMain } from 'postbox/cdk';

// The CDK app of postbox.config.ts: `cdk synth -c stage=prod`, `-c alarmEmail=`, `-c account=`, `-c region=`.
await messagingAppMain();
