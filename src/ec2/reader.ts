import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type Filter,
  type Instance,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { err, errAsync, ok, ResultAsync, type Result } from "neverthrow";
import { abortReason, isRunning } from "../deadline.js";
import { NotFoundError, type EniError } from "../errors.js";
import { perClient } from "./client-state.js";
import { mapAwsError } from "./map-error.js";
import { send, type CallContext } from "./send.js";
import type { ApiCall } from "../model.js";

/**
 * Ids per Describe call: EC2 takes up to 200 values in one filter (conservatively; some
 * actions take more), and pages the answer.
 */
export const BATCH_SIZE = 200;
/**
 * The poll tick, and the one rule of when a read goes out. A read goes out at once, sharing its
 * call with the other reads of the same turn, unless it is in a crowd: a call of this reader for
 * other ids is in flight, or another operation that has read other ids with this reader is running
 * (or was, with this read's own operation, when the reader's last call went out: so the last moves
 * of a fleet, ending one by one, still share the tick). In a crowd a read waits for the tick:
 * calls go out at most once per tick and every read asked for meanwhile joins the next one, so a
 * thousand waiting moves cost one Describe per batch of ids per tick, not one each. A crowd is
 * told by operations, not by recent reads: with a fast EC2 (or the simulator at zero latency) a
 * fleet's reads never overlap, each answered before the next is asked, yet they must share calls;
 * while one operation after another on a client (an attach, then a move) is no crowd, nor are the
 * operations on one ENI (a move and its final read), so a single ENI's reads never wait.
 */
export const TICK_MS = 250;
// EC2's page size limit for these Describe calls.
const PAGE_SIZE = 1000;

/** One page of a Describe call by id filter. */
interface PageInput {
  readonly Filters: Filter[];
  readonly MaxResults: number;
  /** `undefined` for the first page: the SDK leaves it out of the request. */
  readonly NextToken?: string | undefined;
}

/** One kind of batched read: how to ask EC2 for many ids at once, and how to find each in the answer. */
interface ReadKind<T> {
  /** The resource, as a `NotFoundError` names it; EC2's id filter is named after it too. */
  readonly type: "network-interface" | "instance";
  fetch(
    ec2: EC2Client,
    input: PageInput,
    context: CallContext,
  ): ResultAsync<{ items: T[]; nextToken: string | undefined }, EniError>;
  idOf(item: T): string | undefined;
}

const networkInterfaces: ReadKind<NetworkInterface> = {
  type: "network-interface",
  fetch: (ec2, input, context) =>
    send(ec2, new DescribeNetworkInterfacesCommand(input), context).map((output) => ({
      items: output.NetworkInterfaces ?? [],
      nextToken: output.NextToken,
    })),
  idOf: (ni) => ni.NetworkInterfaceId,
};

const instances: ReadKind<Instance> = {
  type: "instance",
  fetch: (ec2, input, context) =>
    send(ec2, new DescribeInstancesCommand(input), context).map((output) => ({
      items: output.Reservations?.flatMap((reservation) => reservation.Instances ?? []) ?? [],
      nextToken: output.NextToken,
    })),
  idOf: (instance) => instance.InstanceId,
};

interface Request<T> {
  readonly context: CallContext;
  settle(result: Result<T, EniError>): void;
}

/** Collects reads of one kind on one client and sends them as batched, paged Describe calls (see {@link TICK_MS}). */
class BatchReader<T> {
  readonly #pending = new Map<string, Request<T>[]>();
  #scheduled = false;
  #lastSentAt = -Infinity;
  /** The ids of each call not answered yet. */
  readonly #inFlight = new Set<string[]>();
  /**
   * The operations (by their deadline's signal) that have read with this reader, and what they
   * read: those running at its last call, and any that have read since.
   */
  readonly #operations = new Map<AbortSignal, Set<string>>();

  readonly #ec2: EC2Client;
  readonly #kind: ReadKind<T>;

  constructor(ec2: EC2Client, kind: ReadKind<T>) {
    this.#ec2 = ec2;
    this.#kind = kind;
  }

  /** Reads one id; a `NotFoundError` when EC2 does not know it. */
  read(id: string, context: CallContext): ResultAsync<T, EniError> {
    const { abortSignal } = context;
    if (abortSignal?.aborted === true) return errAsync(abortReason(abortSignal));
    const answer = new Promise<Result<T, EniError>>((resolve) => {
      const onAbort = () => resolve(err(abortReason(abortSignal as AbortSignal)));
      abortSignal?.addEventListener("abort", onAbort, { once: true });
      const settle = (result: Result<T, EniError>) => {
        abortSignal?.removeEventListener("abort", onAbort);
        resolve(result);
      };
      this.#pending.set(id, [...(this.#pending.get(id) ?? []), { context, settle }]);
    });
    this.#schedule(id, abortSignal);
    // A read made outside any operation (`Eni.get`, or with the caller's own signal) is no one's.
    if (abortSignal !== undefined && isRunning(abortSignal))
      this.#operations.set(abortSignal, (this.#operations.get(abortSignal) ?? new Set()).add(id));
    return new ResultAsync(answer);
  }

  /** Schedules the next call (see {@link TICK_MS}), unless one is: a read asked for meanwhile joins it. */
  #schedule(id: string, mine: AbortSignal | undefined): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const otherIds = (ids: Iterable<string>) => [...ids].some((other) => other !== id);
    // Ended operations are still here until the next call: they crowd only the operations they were crowded with.
    const known = mine !== undefined && this.#operations.has(mine);
    const crowded =
      [...this.#inFlight].some(otherIds) ||
      [...this.#operations].some(
        ([operation, ids]) => operation !== mine && otherIds(ids) && (known || isRunning(operation)),
      );
    const wait = crowded ? this.#lastSentAt + TICK_MS - Date.now() : 0;
    if (wait <= 0) queueMicrotask(() => this.#flush());
    else setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#scheduled = false;
    this.#lastSentAt = Date.now();
    for (const operation of this.#operations.keys()) if (!isRunning(operation)) this.#operations.delete(operation);
    const batch = [...this.#pending];
    this.#pending.clear();
    for (let start = 0; start < batch.length; start += BATCH_SIZE)
      void this.#send(batch.slice(start, start + BATCH_SIZE));
  }

  async #send(batch: [string, Request<T>[]][]): Promise<void> {
    const requests = batch.flatMap(([, waiting]) => waiting);
    const settleAll = (result: Result<T, EniError>) => requests.forEach((request) => request.settle(result));
    // One call serves many callers: tell each of them about it once, as if it were theirs (one
    // operation may have several reads in the batch).
    const listeners = new Set(requests.map((request) => request.context.onCall));
    const context: CallContext = {
      onCall: (call: ApiCall) => listeners.forEach((onCall) => onCall?.(call)),
    };
    const ids = batch.map(([id]) => id);
    this.#inFlight.add(ids);
    const found = new Map<string, T>();
    let nextToken: string | undefined;
    try {
      do {
        const input = {
          Filters: [{ Name: `${this.#kind.type}-id`, Values: ids }],
          MaxResults: PAGE_SIZE,
          NextToken: nextToken,
        };
        const page = await this.#kind.fetch(this.#ec2, input, context);
        if (page.isErr()) return settleAll(err(page.error));
        for (const item of page.value.items) found.set(this.#kind.idOf(item) ?? "", item);
        nextToken = page.value.nextToken;
      } while (nextToken);
    } catch (thrown) {
      // A malformed answer must fail these reads, never leave them waiting forever.
      return settleAll(err(mapAwsError(thrown)));
    } finally {
      // Before any answer reaches its caller (a later turn), so the reads it leads to see the call done.
      this.#inFlight.delete(ids);
    }
    for (const [id, waiting] of batch) {
      const item = found.get(id);
      for (const request of waiting)
        request.settle(item === undefined ? err(NotFoundError.of(this.#kind.type, id)) : ok(item));
    }
  }
}

/** The batched readers of one client, made on first use. */
export const readersOf = perClient((ec2) => ({
  networkInterfaces: new BatchReader(ec2, networkInterfaces),
  instances: new BatchReader(ec2, instances),
}));
