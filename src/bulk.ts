import { err, ok, ResultAsync, safeTry, type Result } from "neverthrow";
import { pool } from "./async.js";
import { mapAwsError } from "./ec2/map-error.js";
import { ValidationError, type EniError } from "./errors.js";
import type { EniEvent, MoveEvent } from "./model.js";
import { parseAttach, type AttachOptions, type ParsedAttach } from "./operations/attach.js";
import { parseDetach, type DetachOptions, type ParsedDetach } from "./operations/detach.js";
import { parseMove, type MoveOptions, type ParsedMove } from "./operations/move.js";
import { checkCallback } from "./steps/events.js";
import { checkId, checkList, checkOptions, checkOptionsWith, integerFrom } from "./validation.js";

/**
 * How a bulk operation runs.
 *
 * @example
 * ```ts
 * const options: BulkOptions = { concurrency: 20 };
 * ```
 */
export interface BulkOptions {
  /**
   * How many items run at once. Waits are shared and requests are rate-limited per client
   * anyway; this bounds memory and how much is in flight when something goes wrong.
   * @default 50
   */
  readonly concurrency?: number | undefined;
  /**
   * Told of every item's events, each naming its ENI (an item's own `onEvent` is told too). Its
   * exceptions are ignored.
   */
  readonly onEvent?: ((event: EniEvent | MoveEvent) => void) | undefined;
}

/**
 * One move of `Eni.moveAll`: the ENI, its target, and the options of `moveTo`.
 *
 * @example
 * ```ts
 * const move: BulkMove = { eniId: "eni-0123456789abcdef0", to: "i-0bbbbbbbbbbbbbbb2", expectedFrom: "i-0aaaaaaaaaaaaaaa1" };
 * ```
 */
export interface BulkMove extends MoveOptions {
  /** The ENI to move. */
  readonly eniId: string;
  /** The target instance. */
  readonly to: string;
}

/**
 * One attach of `Eni.attachAll`: the ENI, the instance, and the options of `attachTo`.
 *
 * @example
 * ```ts
 * const attach: BulkAttach = { eniId: "eni-0123456789abcdef0", instanceId: "i-0aaaaaaaaaaaaaaa1" };
 * ```
 */
export interface BulkAttach extends AttachOptions {
  /** The ENI to attach. */
  readonly eniId: string;
  /** The instance. */
  readonly instanceId: string;
}

/**
 * One detach of `Eni.detachAll`: the ENI and the options of `detach`.
 *
 * @example
 * ```ts
 * const detach: BulkDetach = { eniId: "eni-0123456789abcdef0", force: true };
 * ```
 */
export interface BulkDetach extends DetachOptions {
  /** The ENI to detach. */
  readonly eniId: string;
}

/**
 * The outcome of one item: its own `Result`, so one failure hides none of the others.
 *
 * @example
 * ```ts
 * for (const { eniId, result } of report.results) if (result.isErr()) console.error(eniId, result.error.message);
 * ```
 */
export interface BulkResult<T> {
  /** The item's ENI. */
  readonly eniId: string;
  /** What happened to it. */
  readonly result: Result<T, EniError>;
}

/**
 * What a bulk operation did, item by item, in the order given.
 *
 * @example
 * ```ts
 * console.log(`${report.succeeded} moved, ${report.failed} failed in ${report.durationMs} ms`);
 * ```
 */
export interface BulkReport<T> {
  /** One entry per item, in input order. */
  readonly results: readonly BulkResult<T>[];
  /** How many items succeeded. */
  readonly succeeded: number;
  /** How many failed. */
  readonly failed: number;
  /** How long the whole run took, in milliseconds. */
  readonly durationMs: number;
}

const DEFAULT_CONCURRENCY = 50;
const MAX_CONCURRENCY = 1000;

/** A request for one item, as the single operation takes it once checked, with its `onEvent`. */
interface ItemRequest<E> {
  readonly onEvent: ((event: E) => void) | undefined;
}

/** One checked item: its ENI and the single operation's checked request. */
interface Item<R> {
  readonly eniId: string;
  readonly request: R;
}

/**
 * Checks every item once (its ENI, and the rest with `parse`, the single operation's own check,
 * naming `items[3].field`), then runs them all, at most `concurrency` at a time; any bad item
 * fails the whole call before anything is sent. The batch's `onEvent` is told of every item's
 * events, after the item's own.
 */
function bulk<T, E, R extends ItemRequest<E>>(
  field: string,
  items: unknown,
  options: unknown,
  parse: (item: Record<string, unknown>) => Result<R, ValidationError>,
  run: (eniId: string, request: R) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  const checked = safeTry(function* () {
    const list = yield* checkList(field, items, 0, "an array of items", (at, item) =>
      safeTry(function* () {
        const { eniId, ...rest } = yield* checkOptions(at, item);
        const checkedEniId = yield* checkId(`${at}.eniId`, eniId, "eni");
        const request = yield* parse(rest).mapErr(
          (error) => new ValidationError(error.message, { field: `${at}.${error.field}` }),
        );
        return ok<Item<R>>({ eniId: checkedEniId, request });
      }),
    );
    // Items are distinct objects to `checkList`; their ENIs are compared here.
    const ids = list.map((item) => item.eniId);
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate !== undefined) {
      yield* err(new ValidationError(`${duplicate} appears twice; each ENI may be in one item only.`, { field }));
    }
    const { concurrency, onEvent } = yield* checkOptionsWith("options", options, {
      concurrency: [integerFrom(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY],
      onEvent: [checkCallback<(event: E) => void>()],
    });
    return ok({ list, concurrency, onEvent });
  });
  return checked.asyncAndThen(({ list, concurrency, onEvent }) => {
    const started = Date.now();
    const runOne = async ({ eniId, request }: Item<R>): Promise<BulkResult<T>> => {
      try {
        const told = onEvent === undefined ? request : { ...request, onEvent: tellBoth(request.onEvent, onEvent) };
        return { eniId, result: await run(eniId, told) };
      } catch (thrown) {
        // A bug that throws inside one item must not take the others down with it.
        return { eniId, result: err(mapAwsError(thrown)) };
      }
    };
    return ResultAsync.fromSafePromise(pool(list, concurrency, runOne)).map((results) => {
      const succeeded = results.filter(({ result }) => result.isOk()).length;
      return { results, succeeded, failed: results.length - succeeded, durationMs: Date.now() - started };
    });
  });
}

/** An item's own `onEvent`, then the batch's; a hook that throws does not keep the other from hearing. */
function tellBoth<E>(own: ((event: E) => void) | undefined, batch: (event: E) => void): (event: E) => void {
  return (event) => {
    try {
      own?.(event);
    } finally {
      batch(event);
    }
  };
}

/** Runs many moves; see `Eni.moveAll`. */
export function moveMany<T>(
  items: unknown,
  options: unknown,
  run: (eniId: string, request: ParsedMove) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  return bulk<T, MoveEvent, ParsedMove>(
    "moves",
    items,
    options,
    ({ to, ...moveOptions }) =>
      parseMove(to, moveOptions).mapErr((error) =>
        error.field === "instanceId" ? new ValidationError(error.message, { field: "to" }) : error,
      ),
    run,
  );
}

/** Runs many attaches; see `Eni.attachAll`. */
export function attachMany<T>(
  items: unknown,
  options: unknown,
  run: (eniId: string, request: ParsedAttach) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  return bulk<T, EniEvent, ParsedAttach>(
    "attaches",
    items,
    options,
    ({ instanceId, ...attachOptions }) => parseAttach(instanceId, attachOptions),
    run,
  );
}

/** Runs many detaches; see `Eni.detachAll`. */
export function detachMany<T>(
  items: unknown,
  options: unknown,
  run: (eniId: string, request: ParsedDetach) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  return bulk<T, EniEvent, ParsedDetach>("detaches", items, options, parseDetach, run);
}
