import type { EC2Client } from "@aws-sdk/client-ec2";
import { err, ok, type Result } from "neverthrow";
import { ValidationError } from "./errors.js";

/** A pure input check: the value as the library will use it, or the field that was wrong. */
export type Check<T> = Result<T, ValidationError>;

/** The kinds of id the library accepts, by prefix. */
export type IdPrefix = "eni" | "i" | "subnet" | "sg" | "vpc" | "eni-attach" | "eipalloc";

/** EC2's most secondary private IPv4s on one ENI: the largest instance types take 50, the primary included. */
export const MAX_SECONDARY_IPS = 49;
/** EC2's limits on tags per resource and on a tag value's length. */
export const MAX_TAGS = 50;
export const MAX_TAG_VALUE = 256;
const MAX_TAG_KEY = 128;
const MAX_DESCRIPTION = 255;
const MAX_CLIENT_TOKEN = 64;

/** Shows a bad value in a message without echoing a megabyte of it back. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}

/** A field name for a key inside an object (`tags.team`), with an absurdly long key cut short. */
export function fieldOf(parent: string, key: string): string {
  // Longer than any valid tag key (128), so a key that is merely too long is still named whole.
  return `${parent}.${key.length > 130 ? `${key.slice(0, 130)}…` : key}`;
}

/** A failed check: `field` and what was wrong with it. */
export function refuse(field: string, message: string): Check<never> {
  return err(new ValidationError(message, { field }));
}

/** A failed check in the house style: ``Expected `field` to be <expected>, got <value>.`` */
export function invalid(field: string, expected: string, value: unknown): Check<never> {
  return refuse(field, `Expected \`${field}\` to be ${expected}, got ${show(value)}.`);
}

/** An EC2 id of the given kind, e.g. `eni-0123456789abcdef0`. */
export function checkId(field: string, value: unknown, prefix: IdPrefix): Check<string> {
  // A prefix and 8 (older resources) or 17 lowercase hex digits.
  return typeof value === "string" && new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`).test(value)
    ? ok(value)
    : invalid(field, `an id like "${prefix}-0123456789abcdef0"`, value);
}

/** A list of at least `min` items, each passing `checkItem`, without duplicates. */
export function checkList<T>(
  field: string,
  value: unknown,
  min: number,
  expected: string,
  checkItem: (field: string, item: unknown) => Check<T>,
): Check<T[]> {
  if (!Array.isArray(value) || value.length < min) return invalid(field, expected, value);
  const items: T[] = [];
  for (const [index, item] of (value as unknown[]).entries()) {
    const checked = checkItem(`${field}[${index}]`, item);
    if (checked.isErr()) return err(checked.error);
    items.push(checked.value);
  }
  return new Set(items).size === items.length ? ok(items) : invalid(field, "a list without duplicates", value);
}

/** A list of ids of one kind, without duplicates. */
export function checkIds(field: string, value: unknown, prefix: IdPrefix, min = 0): Check<string[]> {
  return checkList(field, value, min, `an array of at least ${min} "${prefix}-" id(s)`, (itemField, item) =>
    checkId(itemField, item, prefix),
  );
}

/** A dotted-quad IPv4 address, each octet 0–255 without leading zeros. */
export function checkIpv4(field: string, value: unknown): Check<string> {
  const octets = typeof value === "string" ? value.split(".") : [];
  // Each octet is 0 or digits without a leading zero, up to 255.
  return octets.length === 4 && octets.every((octet) => /^(?:0|[1-9]\d{0,2})$/.test(octet) && Number(octet) <= 255)
    ? ok(value as string)
    : invalid(field, 'an IPv4 address like "10.0.1.25"', value);
}

/** An integer in `[min, max]`. */
export function checkInteger(field: string, value: unknown, min: number, max: number): Check<number> {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
    ? ok(value)
    : invalid(field, `an integer from ${min} to ${max}`, value);
}

/**
 * A device index or a network card index: a whole number from 0. Instance types set the real
 * bounds (32 network cards on a p5.48xlarge, and more to come), so only the instance's type,
 * read before attaching, can refuse a value that is too high.
 */
export function checkIndex(field: string, value: unknown): Check<number> {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0
    ? ok(value)
    : invalid(field, "a whole number from 0", value);
}

/** Device index 0 on network card 0 belongs to the instance's primary interface; on other cards it is free to use. */
export function checkPlacement(deviceIndex: number | undefined, networkCardIndex: number): Check<void> {
  return deviceIndex === 0 && networkCardIndex === 0
    ? refuse(
        "deviceIndex",
        "Device index 0 on network card 0 is the instance's primary interface; give 1 or more, or another `networkCardIndex`.",
      )
    : ok(undefined);
}

/** `true` or `false`. */
export function checkBoolean(field: string, value: unknown): Check<boolean> {
  return typeof value === "boolean" ? ok(value) : invalid(field, "a boolean", value);
}

/** A non-empty string of at most `max` characters. */
export function checkString(field: string, value: unknown, max: number): Check<string> {
  return typeof value === "string" && value.length > 0 && value.length <= max
    ? ok(value)
    : invalid(field, `a non-empty string of at most ${max} characters`, value);
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): Check<T> {
  return allowed.includes(value as T)
    ? ok(value as T)
    : invalid(field, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, value);
}

/** An ENI description: EC2 takes up to 255 characters (an empty one clears it). */
export function checkDescription(field: string, value: unknown): Check<string> {
  return typeof value === "string" && value.length <= MAX_DESCRIPTION
    ? ok(value)
    : invalid(field, `a string of at most ${MAX_DESCRIPTION} characters`, value);
}

/** An idempotency token: EC2 takes up to 64 ASCII characters. */
export function checkClientToken(field: string, value: unknown): Check<string> {
  return typeof value === "string" && /^[\x20-\x7e]{1,64}$/.test(value)
    ? ok(value)
    : invalid(field, `a string of 1 to ${MAX_CLIENT_TOKEN} printable ASCII characters`, value);
}

/** A tag key: 1–128 characters, not starting with the reserved `aws:` prefix. */
export function checkTagKey(field: string, key: unknown): Check<string> {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_TAG_KEY) {
    return invalid(field, `a tag key of 1 to ${MAX_TAG_KEY} characters`, key);
  }
  return /^aws:/i.test(key) ? invalid(field, 'a tag key without the reserved "aws:" prefix', key) : ok(key);
}

/**
 * A tag set as a plain object. `reserved` counts tags the library adds itself (the Name tag),
 * so the 50-tag limit holds for what is actually sent.
 */
export function checkTags(field: string, value: unknown, reserved = 0): Check<Record<string, string>> {
  if (!isPlainObject(value)) return invalid(field, "an object of tag keys to string values", value);
  const entries = Object.entries(value);
  if (entries.length + reserved > MAX_TAGS) {
    return refuse(field, `Expected at most ${MAX_TAGS} tags on one resource, got ${entries.length + reserved}.`);
  }
  for (const [key, tagValue] of entries) {
    const tagField = fieldOf(field, key);
    const checkedKey = checkTagKey(tagField, key);
    if (checkedKey.isErr()) return err(checkedKey.error);
    if (typeof tagValue !== "string" || tagValue.length > MAX_TAG_VALUE) {
      return invalid(tagField, `a tag value of at most ${MAX_TAG_VALUE} characters`, tagValue);
    }
  }
  return ok(value as Record<string, string>);
}

/** A plain options object, or nothing (JavaScript callers may pass anything). */
export function checkOptions(field: string, value: unknown): Check<Readonly<Record<string, unknown>>> {
  if (value === undefined) return ok({});
  return isPlainObject(value) ? ok(value) : invalid(field, "an options object", value);
}

/** Checks one option's value; an absent option never reaches it, it takes its default. */
export type OptionCheck<T> = (field: string, value: unknown) => Check<T>;

/** The options an object may hold: each one's check, and its default when absent (if not `undefined`). */
export type OptionSpec = Readonly<Record<string, readonly [check: OptionCheck<unknown>, fallback?: unknown]>>;

/** What `checkOptionsWith` gives back for a spec: each option checked, or its default. */
export type CheckedOptions<S extends OptionSpec> = {
  -readonly [K in keyof S]: S[K] extends readonly [OptionCheck<infer T>, infer D]
    ? T | D
    : S[K] extends readonly [OptionCheck<infer T>]
      ? T | undefined
      : never;
};

/**
 * Checks an options object against its spec, option by option in the spec's order. Keys the
 * spec does not know are refused: a typo must not silently change behaviour.
 */
export function checkOptionsWith<S extends OptionSpec>(
  field: string,
  value: unknown,
  spec: S,
): Check<CheckedOptions<S>> {
  return checkOptions(field, value).andThen((given) => {
    const known = Object.keys(spec);
    const unknown = Object.keys(given).find((key) => !known.includes(key));
    if (unknown !== undefined) {
      return refuse(fieldOf(field, unknown), `Unknown option ${show(unknown)}; expected one of ${known.join(", ")}.`);
    }
    const checked: Record<string, unknown> = {};
    for (const [key, [check, fallback]] of Object.entries(spec)) {
      const option = given[key] === undefined ? ok(fallback) : check(key, given[key]);
      if (option.isErr()) return err(option.error);
      checked[key] = option.value;
    }
    return ok(checked as CheckedOptions<S>);
  });
}

/** Any value: for an option checked after the others (a required one, or one checked with another). */
export const anyValue: OptionCheck<unknown> = (_field, value) => ok(value);

/** `checkInteger` over `[min, max]`, as an option check. */
export function integerFrom(min: number, max: number): OptionCheck<number> {
  return (field, value) => checkInteger(field, value, min, max);
}

/** `checkId` for one kind of id, as an option check. */
export function idOf(prefix: IdPrefix): OptionCheck<string> {
  return (field, value) => checkId(field, value, prefix);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** An `AbortSignal`, duck-typed so signals from other realms (or polyfills) work. */
export function checkAbortSignal(field: string, value: unknown): Check<AbortSignal> {
  const candidate = value as Partial<AbortSignal> | null;
  return typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.aborted === "boolean" &&
    typeof candidate.addEventListener === "function"
    ? ok(value as AbortSignal)
    : invalid(field, "an AbortSignal", value);
}

/** The caller's client: anything with a `send` method, so a missing one is a typed error (nothing sent), not a TypeError. */
export function checkClient(ec2: unknown): Check<EC2Client> {
  return typeof (ec2 as Partial<EC2Client> | null)?.send === "function"
    ? ok(ec2 as EC2Client)
    : refuse("ec2", "Expected `ec2` to be an EC2Client from @aws-sdk/client-ec2.");
}
