#!/usr/bin/env node
import { createMessagingApp } from 'postbox/cdk';

// Billing's own stack: `cd examples/billing && npx cdk synth -c stage=dev` (deploy orders first: billing subscribes to its topic).
await createMessagingApp();
