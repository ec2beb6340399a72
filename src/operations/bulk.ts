import { err, ok, ResultAsync, safeTry, type Result } from "neverthrow";
import { pool } from "../async.js";
import { mapAwsError } from "../ec2/map-error.js";
import { ValidationError, type EniError } from "../errors.js";
import { checkId, checkList, checkOptions, checkOptionsWith, integerFrom } from "../validation.js";
import { parseAttach, type AttachOptions } from "./attach.js";
import { parseDetach, type DetachOptions } from "./detach.js";
import { checkCallback, type EniEvent } from "./events.js";
import { parseMove, type MoveEvent, type MoveOptions } from "./move.js";

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

/** A checked item: its ENI, its other id field, and the options of the single operation. */
interface Item {
  readonly eniId: string;
  readonly id: unknown;
  readonly options: Record<string, unknown>;
}

/**
 * Checks every item (its ENI, its `idField`, and the options of the single operation, naming
 * `items[3].field`), then runs them all, at most `concurrency` at a time; any bad item fails the
 * whole call before anything is sent.
 */
function bulk<T, Id, Options>(
  field: string,
  items: unknown,
  options: unknown,
  idField: string,
  checkItem: (id: unknown, options: Record<string, unknown>) => Result<unknown, ValidationError>,
  run: (eniId: string, id: Id, options: Options) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  const checked = safeTry(function* () {
    const list = yield* checkList(field, items, 0, "an array of items", (at, item) =>
      safeTry(function* () {
        const { eniId, [idField]: id, ...itemOptions } = yield* checkOptions(at, item);
        const checkedEniId = yield* checkId(`${at}.eniId`, eniId, "eni");
        yield* checkItem(id, itemOptions).mapErr((error) => new ValidationError(`${at}.${error.field}`, error.message));
        return ok({ eniId: checkedEniId, id, options: itemOptions });
      }),
    );
    // Items are distinct objects to `checkList`; their ENIs are compared here.
    const ids = list.map((item) => item.eniId);
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate !== undefined) {
      yield* err(new ValidationError(field, `${duplicate} appears twice; each ENI may be in one item only.`));
    }
    const { concurrency, onEvent } = yield* checkOptionsWith("options", options, {
      concurrency: [integerFrom(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY],
      onEvent: [checkCallback<(event: EniEvent | MoveEvent) => void>()],
    });
    return ok({ list, concurrency, onEvent });
  });
  return checked.asyncAndThen(({ list, concurrency, onEvent }) => {
    const started = Date.now();
    const runOne = async ({ eniId, id, options: itemOptions }: Item): Promise<BulkResult<T>> => {
      try {
        // `checkItem` passed them, so they are what the operation takes.
        const withEvents =
          onEvent === undefined ? itemOptions : { ...itemOptions, onEvent: tellBoth(itemOptions.onEvent, onEvent) };
        return { eniId, result: await run(eniId, id as Id, withEvents as Options) };
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

/** An item's own `onEvent` (already checked to be a function, if given), then the batch's. */
function tellBoth(own: unknown, batch: (event: EniEvent | MoveEvent) => void) {
  return (event: EniEvent | MoveEvent) => {
    try {
      if (typeof own === "function") (own as (event: EniEvent | MoveEvent) => void)(event);
    } finally {
      batch(event);
    }
  };
}

/** Runs many moves; see `Eni.moveAll`. */
export function moveMany<T>(
  items: unknown,
  options: unknown,
  run: (eniId: string, to: string, options: MoveOptions) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  return bulk(
    "moves",
    items,
    options,
    "to",
    (to, moveOptions) =>
      parseMove(to, moveOptions).mapErr((error) =>
        error.field === "instanceId" ? new ValidationError("to", error.message) : error,
      ),
    run,
  );
}

/** Runs many attaches; see `Eni.attachAll`. */
export function attachMany<T>(
  items: unknown,
  options: unknown,
  run: (eniId: string, instanceId: string, options: AttachOptions) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  return bulk("attaches", items, options, "instanceId", parseAttach, run);
}

/** Runs many detaches; see `Eni.detachAll`. */
export function detachMany<T>(
  items: unknown,
  options: unknown,
  run: (eniId: string, options: DetachOptions) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  return bulk(
    "detaches",
    items,
    options,
    "eniId",
    (_eniId, detachOptions) => parseDetach(detachOptions),
    (eniId, _eniId, detachOptions: DetachOptions) => run(eniId, detachOptions),
  );
}
