// Event Grid triggers: Event Grid and CloudEvents deliveries parsed, validated and dispatched to
// pre-upgrade backups and auto-protection. See docs/events.md.
export { AUTO_MARK, definitionName, isMarked, POLICY_TAG, reconcileProtection } from "./auto-protection.js";
export {
  type AllowedSubscriptions,
  allowedSubscriptionsOf,
  classify,
  type EventAction,
  PRE_UPGRADE_TYPES,
  RESOURCE_DELETE,
  RESOURCE_WRITE,
} from "./classify.js";
export {
  armAccessOf,
  armClusterReader,
  type ClusterReader,
  type ManagedClusterView,
} from "./cluster-reader.js";
export {
  type DeliveryReport,
  EVENT_FUNCTIONS,
  type EventDeps,
  type EventFunction,
  type HandledEvent,
  handleDelivery,
  handleEvents,
  PRE_UPGRADE_RETENTION,
  preUpgradeInstanceId,
} from "./dispatch.js";
export {
  type DroppedEvent,
  type EventSchema,
  type GridEvent,
  MalformedDeliveryError,
  parseDelivery,
  parseEvent,
  VALIDATION_EVENT,
} from "./parse.js";
