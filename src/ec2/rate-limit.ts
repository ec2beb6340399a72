import type { EC2Client } from "@aws-sdk/client-ec2";
import { err, ok, type Result } from "neverthrow";
import { sleep } from "../async.js";
import { AbortedError, ValidationError } from "../errors.js";
import { perClient } from "./client-state.js";

/**
 * One token bucket: `capacity` requests at once, refilled at `refillPerSecond`.
 *
 * @example
 * ```ts
 * const describeLimit: RateLimit = { capacity: 100, refillPerSecond: 20 };
 * ```
 */
export interface RateLimit {
  /** Requests that may go out at once (the burst). */
  readonly capacity: number;
  /** Requests per second sustained. */
  readonly refillPerSecond: number;
}

// EC2's documented request buckets ("Request throttling for the Amazon EC2 API"): Describe*
// 100 at 20/s; mutating actions 50 at 5/s, some with their own bucket. eni-kit keeps 10% under
// them, so other traffic in the account and the SDK's own retries leave it room.
const MARGIN = 0.9;
const NON_MUTATING: RateLimit = { capacity: 100, refillPerSecond: 20 };
const MUTATING: RateLimit = { capacity: 50, refillPerSecond: 5 };
/** The actions with a bucket of their own: each holds 100 tokens; this is its refill per second. */
const OWN_BUCKETS: Readonly<Record<string, number>> = {
  AssignPrivateIpAddresses: 5,
  UnassignPrivateIpAddresses: 5,
  CreateNetworkInterface: 5,
  DeleteNetworkInterface: 5,
  ModifyNetworkInterfaceAttribute: 5,
  CreateTags: 10,
  DeleteTags: 10,
};

/** The EC2 actions eni-kit sends: the ones a rate limit can be set for. */
export const ACTIONS = [
  "AssignPrivateIpAddresses",
  "AssociateAddress",
  "AttachNetworkInterface",
  "CreateNetworkInterface",
  "CreateTags",
  "DeleteNetworkInterface",
  "DeleteTags",
  "DescribeAddresses",
  "DescribeInstanceTypes",
  "DescribeInstances",
  "DescribeNetworkInterfaces",
  "DetachNetworkInterface",
  "DisassociateAddress",
  "ModifyNetworkInterfaceAttribute",
  "UnassignPrivateIpAddresses",
] as const;

/** EC2's documented bucket for `action`, `MARGIN` under (exported for the benchmark's bound). */
export function defaultLimit(action: string): RateLimit {
  const own = OWN_BUCKETS[action];
  const generic = action.startsWith("Describe") ? NON_MUTATING : MUTATING;
  const { capacity, refillPerSecond } = own === undefined ? generic : { capacity: 100, refillPerSecond: own };
  return { capacity: Math.floor(capacity * MARGIN), refillPerSecond: refillPerSecond * MARGIN };
}

/**
 * A token bucket that hands out reservations: each call takes a token, possibly one not yet
 * refilled, and returns how many ms until it exists (0 when it already does).
 */
function bucket({ capacity, refillPerSecond }: RateLimit): () => number {
  let tokens = capacity;
  let updatedAt = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(capacity, tokens + ((now - updatedAt) / 1000) * refillPerSecond) - 1;
    updatedAt = now;
    return tokens >= 0 ? 0 : (-tokens / refillPerSecond) * 1000;
  };
}

interface ClientLimits {
  readonly overrides: Readonly<Record<string, RateLimit>>;
  /** Per action: takes a token and returns the ms to wait for it. */
  readonly buckets: Map<string, () => number>;
}

// `false` means the caller turned client-side limiting off for this client.
const limitsOf = perClient((): { current: ClientLimits | false } => ({
  current: { overrides: {}, buckets: new Map() },
}));

/**
 * Sets how fast eni-kit sends requests on one client, per EC2 action. By default it stays 10%
 * under EC2's documented request buckets (Describe*: 100 at once, 20/s; Attach, Detach and
 * other mutating actions: 50 at once, 5/s; a few actions have their own), so a mass failover
 * waits for tokens instead of drowning in `RequestLimitExceeded`. The limit is per client:
 * give every part of a program the same client, or lower the limits.
 *
 * @param ec2 - the client the limits apply to.
 * @param overrides - per-action limits to use instead of the defaults, or `false` to send
 *   without client-side limiting.
 * @returns `Ok` once set, or a `ValidationError` (nothing set) for an action eni-kit never sends
 *   (a misspelt name would otherwise be silently ignored) or a limit that is not two positive numbers.
 * @example
 * ```ts
 * // Another process in this account polls too: leave it half of the Describe bucket.
 * configureRateLimits(ec2, { DescribeNetworkInterfaces: { capacity: 50, refillPerSecond: 10 } });
 * ```
 */
export function configureRateLimits(
  ec2: EC2Client,
  overrides: Readonly<Record<string, RateLimit>> | false,
): Result<void, ValidationError> {
  if (overrides === false) {
    limitsOf(ec2).current = false;
    return ok(undefined);
  }
  for (const [action, limit] of Object.entries(overrides as Record<string, Partial<RateLimit> | undefined>)) {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      return err(
        new ValidationError(`Unknown action "${action}"; eni-kit sends only ${ACTIONS.join(", ")}.`, {
          field: `overrides.${action}`,
        }),
      );
    }
    const valid = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0;
    if (!valid(limit?.capacity) || !valid(limit?.refillPerSecond)) {
      return err(
        new ValidationError(`Expected \`${action}\` to be { capacity, refillPerSecond } with positive numbers.`, {
          field: `overrides.${action}`,
        }),
      );
    }
  }
  limitsOf(ec2).current = { overrides: { ...overrides }, buckets: new Map() };
  return ok(undefined);
}

/**
 * Waits for a token for one request of `action` on this client. Resolves `Ok` when the request
 * may go, or `AbortedError` if the caller's signal fires while it waits.
 */
export async function takeToken(
  ec2: EC2Client,
  action: string,
  abortSignal?: AbortSignal,
): Promise<Result<void, AbortedError>> {
  const client = limitsOf(ec2).current;
  if (client === false) return ok(undefined);
  const reserve = client.buckets.get(action) ?? bucket(client.overrides[action] ?? defaultLimit(action));
  client.buckets.set(action, reserve);
  const wait = reserve();
  if (wait === 0 || (await sleep(wait, abortSignal))) return ok(undefined);
  return err(new AbortedError(`Aborted while waiting to send ${action} under the client's rate limit.`));
}
