// The notification ledger (which notices are due, and which were sent) for a function that reads it without
// sending: the sweep records expiry reminders as due and hands over the notices the queue never got. The notifier,
// which also marks them sent, has it in its own root (./notifying-dependencies.ts).
import { DynamoDbNotificationLedger } from '../adapters/dynamodb/notification-ledger.ts';
import type { NotificationLedger } from '../core/ports.ts';
import { documentClient } from './clients.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';

const ledgerOfCore: () => NotificationLedger = builtOnCore(
  ({ config }) => new DynamoDbNotificationLedger(documentClient(), { stateTable: config.stateTable }),
);

/** `deps` and the notification ledger, its `policy` getter kept (the version in force per invocation). */
export function withNotificationLedger<Deps extends object>(
  deps: Deps,
): Deps & { readonly notificationLedger: NotificationLedger } {
  return extendWiring(deps, { notificationLedger: ledgerOfCore() });
}
