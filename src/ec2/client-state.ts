import type { EC2Client } from "@aws-sdk/client-ec2";

/**
 * Everything eni-kit keeps about one `EC2Client` (its batched readers, its instance types' limits,
 * its rate limits) lives in one object per client, dropped with the client. Each module that keeps
 * something declares its part with {@link perClient}.
 */
const states = new WeakMap<EC2Client, Map<object, unknown>>();

/**
 * Declares one part of the per-client state: `make` builds it on the client's first use, and the
 * returned function gives the client's own.
 */
export function perClient<T>(make: (ec2: EC2Client) => T): (ec2: EC2Client) => T {
  const part = (ec2: EC2Client): T => {
    const state = states.get(ec2) ?? new Map<object, unknown>();
    states.set(ec2, state);
    if (!state.has(part)) state.set(part, make(ec2));
    return state.get(part) as T;
  };
  return part;
}
