/**
 * eni-kit: typed, Result-returning management of AWS EC2 Elastic Network Interfaces.
 *
 * @example
 * ```ts
 * import { EC2Client } from "@aws-sdk/client-ec2";
 * import { Eni } from "eni-kit";
 *
 * const ec2 = new EC2Client({ region: "us-east-1" });
 * const result = await Eni.get(ec2, "eni-0123456789abcdef0").attachTo("i-0123456789abcdef0");
 * ```
 *
 * @module
 */
export { Eni, EniTask } from "./eni.js";
export {
  AbortedError,
  AccessDeniedError,
  AttachmentLimitError,
  AwsError,
  AzMismatchError,
  ConflictError,
  EniKitError,
  InvalidStateError,
  LimitExceededError,
  MoveFailedError,
  NotFoundError,
  ThrottledError,
  ValidationError,
  WaitTimeoutError,
  isEniError,
} from "./errors.js";
export type { AttachmentLimitKind, EniError, EniKitErrorDetails, LimitName, ResourceType } from "./errors.js";
export type {
  ApiCall,
  AttachmentStatus,
  EniAttachment,
  EniEvent,
  EniPrivateIp,
  EniSecurityGroup,
  EniState,
  EniStatus,
  MoveEvent,
  MovePhase,
  MoveReport,
  MoveSource,
  Phase,
} from "./model.js";
export type { AssignPrivateIpsOptions, AssociateAddressOptions } from "./operations/addresses.js";
export type { AttachOptions } from "./operations/attach.js";
export type { BulkAttach, BulkDetach, BulkMove, BulkOptions, BulkReport, BulkResult } from "./bulk.js";
export type { EventOptions } from "./steps/events.js";
export type { ChangeOptions } from "./steps/change.js";
export { configureRateLimits } from "./ec2/rate-limit.js";
export type { RateLimit } from "./ec2/rate-limit.js";
export type { CreateEniOptions, InterfaceType } from "./operations/create.js";
export type { DeletedEni, DeleteOptions } from "./operations/delete.js";
export type { DetachOptions } from "./operations/detach.js";
export type { OrphanQuery, ReapOptions, ReapReport } from "./operations/orphans.js";
export { OWNERSHIP_TAGS } from "./steps/ownership.js";
export { checkPermissions } from "./operations/permissions.js";
export type {
  OptionalPermissionAction,
  PermissionAction,
  PermissionCheck,
  PermissionPlan,
  PermissionReport,
} from "./operations/permissions.js";
export type { FindQuery, ReadOptions } from "./steps/read.js";
export type { MoveOptions } from "./operations/move.js";
export type { WaitOptions } from "./waiters.js";
