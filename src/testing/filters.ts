import type { Filter } from "@aws-sdk/client-ec2";
import { Ec2Error, invalidValue } from "./errors.js";

/** What a filter reads from a resource: one value, several, or none. */
export type FilterValue = string | number | boolean | undefined;

/** Per filter name, how to read the matching values from a resource. */
export type FilterSpec<T> = Record<string, (item: T) => FilterValue | readonly FilterValue[]>;

// EC2 wildcards: `*` any run of characters, `?` exactly one; `\` escapes either.
function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "\\" && i + 1 < pattern.length) source += escape(pattern.charAt(++i));
    else if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else source += escape(c);
  }
  return new RegExp(`^${source}$`, "s");
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function strings(value: FilterValue | readonly FilterValue[]): string[] {
  const values: readonly FilterValue[] = Array.isArray(value) ? value : [value as FilterValue];
  return values.filter((v) => v !== undefined).map(String);
}

/**
 * Applies EC2 filters: values are OR'ed within a filter, filters are AND'ed, and
 * `tag:<key>`, `tag-key` and `tag-value` work on every taggable resource.
 * An unknown filter name fails as on EC2.
 */
export function applyFilters<T>(
  items: readonly T[],
  filters: readonly Filter[] | undefined,
  spec: FilterSpec<T>,
  tagsOf?: (item: T) => ReadonlyMap<string, string>,
): T[] {
  const readers = (filters ?? []).map((filter) => {
    const name = filter.Name ?? "";
    const patterns = (filter.Values ?? []).map(globToRegExp);
    const read = readerFor(name, spec, tagsOf);
    return (item: T) => read(item).some((value) => patterns.some((p) => p.test(value)));
  });
  return items.filter((item) => readers.every((matches) => matches(item)));
}

function readerFor<T>(
  name: string,
  spec: FilterSpec<T>,
  tagsOf: ((item: T) => ReadonlyMap<string, string>) | undefined,
): (item: T) => string[] {
  if (tagsOf) {
    if (name.startsWith("tag:")) {
      const key = name.slice("tag:".length);
      return (item) => strings(tagsOf(item).get(key));
    }
    if (name === "tag-key") return (item) => [...tagsOf(item).keys()];
    if (name === "tag-value") return (item) => [...tagsOf(item).values()];
  }
  const read = Object.hasOwn(spec, name) ? spec[name] : undefined;
  if (!read) throw invalidValue(`The filter '${name}' is invalid`);
  return (item) => strings(read(item));
}

/** MaxResults bounds of one Describe action. */
export interface PageLimits {
  readonly min: number;
  readonly max: number;
}

/**
 * Cuts one page out of `items` the way EC2's paginated Describe calls do: `MaxResults`
 * within the action's bounds, an opaque `NextToken`, and no token on the last page.
 */
export function paginate<T>(
  items: readonly T[],
  input: { MaxResults?: number | undefined; NextToken?: string | undefined },
  limits: PageLimits,
): { page: T[]; nextToken: string | undefined } {
  const { MaxResults: max, NextToken: token } = input;
  if (max !== undefined && (!Number.isInteger(max) || max < limits.min || max > limits.max)) {
    throw invalidValue(
      `Value ( ${max} ) for parameter maxResults is invalid. Parameter must be between ${limits.min} and ${limits.max}.`,
    );
  }
  const start = token === undefined ? 0 : decodeToken(token);
  const end = max === undefined ? items.length : start + max;
  return {
    page: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString("base64") : undefined,
  };
}

function decodeToken(token: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, "base64").toString());
  if (!match) throw new Ec2Error("InvalidNextToken", "The specified NextToken is not valid.");
  return Number(match[1]);
}
