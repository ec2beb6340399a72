/**
 * Size and refill rate of one token bucket, as in `throttling: { AttachNetworkInterface: ... }`.
 *
 * @example
 * ```ts
 * const sim = new Ec2Simulator({ throttling: { DescribeNetworkInterfaces: { capacity: 5, refillPerSecond: 1 } } });
 * ```
 */
export interface BucketConfig {
  /** Tokens the bucket holds when full (the burst). */
  readonly capacity: number;
  /** Tokens added back per second (the sustained rate). */
  readonly refillPerSecond: number;
}

// EC2's documented defaults ("Request throttling for the Amazon EC2 API",
// Amazon EC2 Developer Guide): request token buckets by category, a few actions
// with their own bucket, and resource token buckets for the instance lifecycle.
const NON_MUTATING: BucketConfig = { capacity: 100, refillPerSecond: 20 };
const UNFILTERED_NON_MUTATING: BucketConfig = { capacity: 50, refillPerSecond: 10 };
const MUTATING: BucketConfig = { capacity: 50, refillPerSecond: 5 };

// Actions that spend from the smaller bucket when called with neither a filter nor paging.
const UNFILTERED_ACTIONS = new Set(["DescribeInstances", "DescribeNetworkInterfaces", "DescribeSecurityGroups"]);

const OWN_BUCKETS: Record<string, BucketConfig> = {
  AssignPrivateIpAddresses: { capacity: 100, refillPerSecond: 5 },
  CreateNetworkInterface: { capacity: 100, refillPerSecond: 5 },
  CreateTags: { capacity: 100, refillPerSecond: 10 },
  DeleteNetworkInterface: { capacity: 100, refillPerSecond: 5 },
  DeleteTags: { capacity: 100, refillPerSecond: 10 },
  ModifyNetworkInterfaceAttribute: { capacity: 100, refillPerSecond: 5 },
  RunInstances: { capacity: 5, refillPerSecond: 2 },
  StartInstances: { capacity: 5, refillPerSecond: 2 },
  TerminateInstances: { capacity: 100, refillPerSecond: 5 },
  UnassignPrivateIpAddresses: { capacity: 100, refillPerSecond: 5 },
};

// Resource buckets spend one token per instance the call touches.
const RESOURCE_BUCKETS: Record<string, BucketConfig> = {
  RunInstances: { capacity: 1000, refillPerSecond: 2 },
  TerminateInstances: { capacity: 1000, refillPerSecond: 20 },
  StartInstances: { capacity: 1000, refillPerSecond: 2 },
  StopInstances: { capacity: 1000, refillPerSecond: 20 },
};

class TokenBucket {
  private tokens: number;

  constructor(
    private readonly config: BucketConfig,
    private last: number,
  ) {
    this.tokens = config.capacity;
  }

  take(now: number, count: number): boolean {
    const refill = ((now - this.last) / 1000) * this.config.refillPerSecond;
    this.tokens = Math.min(this.config.capacity, this.tokens + Math.max(0, refill));
    this.last = now;
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }
}

/** What the throttle needs to know about a request. */
export interface ThrottledRequest {
  readonly action: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** How many instances the call touches, for resource buckets. */
  readonly resources: number;
}

/** Per-API token buckets, each created full on its first use. */
export class Throttle {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly overrides: Readonly<Record<string, BucketConfig>>) {}

  /** Spends the tokens `request` needs; false means EC2 would answer RequestLimitExceeded. */
  take(request: ThrottledRequest, now: number): boolean {
    const { action, input } = request;
    const override = this.overrides[action];
    if (override) return this.bucket(action, override, now).take(now, 1);
    const key = isUnfiltered(action, input) ? `${action}:unfiltered` : action;
    const requestOk = this.bucket(key, defaultBucket(action, key), now).take(now, 1);
    const resource = RESOURCE_BUCKETS[action];
    if (!requestOk || !resource) return requestOk;
    return this.bucket(`${action}:resources`, resource, now).take(now, request.resources);
  }

  private bucket(key: string, config: BucketConfig, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(config, now)));
    return bucket;
  }
}

function isUnfiltered(action: string, input: Readonly<Record<string, unknown>>): boolean {
  return (
    UNFILTERED_ACTIONS.has(action) &&
    input.Filters === undefined &&
    input.MaxResults === undefined &&
    input.NextToken === undefined
  );
}

function defaultBucket(action: string, key: string): BucketConfig {
  if (key.endsWith(":unfiltered")) return UNFILTERED_NON_MUTATING;
  const own = OWN_BUCKETS[action];
  if (own) return own;
  return /^(Describe|List|Search|Get)/.test(action) ? NON_MUTATING : MUTATING;
}
