#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { MessagingStack } from '../lib/infra/messaging-stack.ts';
import { stackEnvironment } from '../lib/infra/stack-environment.ts';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
const alarmEmail = app.node.tryGetContext('alarmEmail') as string | undefined;

new MessagingStack(app, `orders-${stage}`, {
  topology: ordersTopology,
  stage,
  ...(alarmEmail && { alarmEmail }),
  env: stackEnvironment({ account: app.node.tryGetContext('account'), region: app.node.tryGetContext('region') }),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
