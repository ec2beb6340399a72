import { err, ResultAsync, type Result } from "neverthrow";
import { pool } from "../async.js";
import { mapAwsError } from "../ec2/map-error.js";
import { ValidationError, type EniError } from "../errors.js";
import { checkId, checkOptions, checkOptionsWith, integerFrom, show } from "../validation.js";
import { parseAttach, type AttachOptions } from "./attach.js";
import { parseDetach, type DetachOptions } from "./detach.js";
import { parseMove, type MoveOptions } from "./move.js";

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
  readonly concurrency?: number;
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

type Item = Readonly<Record<string, unknown>> & { readonly eniId: string };

/** Checks a whole bulk request (every item, before anything is sent), naming `items[3].field`. */
function checkBulk(
  field: string,
  items: unknown,
  options: unknown,
  checkItem: (item: Record<string, unknown>) => Result<unknown, ValidationError>,
): Result<{ items: Item[]; concurrency: number }, ValidationError> {
  if (!Array.isArray(items))
    return err(new ValidationError(field, `Expected \`${field}\` to be an array, got ${show(items)}.`));
  const checked: Item[] = [];
  for (const [index, item] of (items as unknown[]).entries()) {
    const at = `${field}[${index}]`;
    const itemOptions = checkOptions(at, item);
    if (itemOptions.isErr()) return err(itemOptions.error);
    const eniId = checkId(`${at}.eniId`, itemOptions.value["eniId"], "eni");
    if (eniId.isErr()) return err(eniId.error);
    const valid = checkItem(itemOptions.value);
    if (valid.isErr()) return err(new ValidationError(`${at}.${valid.error.field}`, valid.error.message));
    checked.push({ ...itemOptions.value, eniId: eniId.value });
  }
  const ids = checked.map((item) => item.eniId);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined)
    return err(new ValidationError(field, `${duplicate} appears twice; each ENI may be in one item only.`));
  return checkOptionsWith("options", options, {
    concurrency: [integerFrom(1, MAX_CONCURRENCY), DEFAULT_CONCURRENCY],
  }).map(({ concurrency }) => ({ items: checked, concurrency }));
}

/** Runs `run` over the items, at most `concurrency` at a time, keeping input order. */
async function runLimited<T>(
  items: readonly Item[],
  concurrency: number,
  run: (item: Item) => ResultAsync<T, EniError>,
): Promise<BulkReport<T>> {
  const started = Date.now();
  const results = await pool(items, concurrency, async (item): Promise<BulkResult<T>> => ({
    eniId: item.eniId,
    // A bug that throws inside one item must not take the others down with it.
    result: await run(item).then<Result<T, EniError>, Result<T, EniError>>(
      (settled) => settled,
      (thrown) => err(mapAwsError(thrown)),
    ),
  }));
  const succeeded = results.filter(({ result }) => result.isOk()).length;
  return { results, succeeded, failed: results.length - succeeded, durationMs: Date.now() - started };
}

/**
 * Checks every item (its ENI, its `idField`, and the options of the single operation), then runs
 * them all; any bad item fails the whole call before anything is sent.
 */
function bulk<T>(
  field: string,
  items: unknown,
  options: unknown,
  idField: string,
  checkItem: (id: unknown, options: Record<string, unknown>) => Result<unknown, ValidationError>,
  run: (eniId: string, id: unknown, options: Record<string, unknown>) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  return checkBulk(field, items, options, (item) => {
    const { id, options: itemOptions } = split(item, idField);
    return checkItem(id, itemOptions);
  }).asyncAndThen(({ items: checked, concurrency }) =>
    ResultAsync.fromSafePromise(
      runLimited(checked, concurrency, (item) => {
        const { id, options: itemOptions } = split(item, idField);
        return run(item.eniId, id, itemOptions);
      }),
    ),
  );
}

/** Splits an item into its ENI, its other id field, and the options of the single operation. */
function split(item: Record<string, unknown>, idField: string): { id: unknown; options: Record<string, unknown> } {
  const { eniId: _eniId, [idField]: id, ...options } = item;
  return { id, options };
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
    (eniId, to, moveOptions) => run(eniId, to as string, moveOptions),
  );
}

/** Runs many attaches; see `Eni.attachAll`. */
export function attachMany<T>(
  items: unknown,
  options: unknown,
  run: (eniId: string, instanceId: string, options: AttachOptions) => ResultAsync<T, EniError>,
): ResultAsync<BulkReport<T>, ValidationError> {
  return bulk("attaches", items, options, "instanceId", parseAttach, (eniId, instanceId, attachOptions) =>
    run(eniId, instanceId as string, attachOptions),
  );
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
    (eniId, _eniId, detachOptions) => run(eniId, detachOptions),
  );
}
