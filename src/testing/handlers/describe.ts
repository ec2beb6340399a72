import type { Filter, Tag } from "@aws-sdk/client-ec2";
import { Ec2Error } from "../errors.js";
import { applyFilters, type FilterSpec, type PageLimits, paginate } from "../filters.js";
import type { World } from "../world.js";

/** How one Describe action finds, filters and pages its resources. */
export interface DescribeQuery<T> {
  /** Every resource the call can see (only asked for when the request names no ids). */
  readonly all: () => readonly T[];
  /** The ids the request names, if any, and how to look them up (failing on unknown ones). */
  readonly ids: readonly string[] | undefined;
  readonly lookup: (ids: readonly string[]) => T[];
  readonly idsParam: string;
  readonly filters: readonly Filter[] | undefined;
  readonly spec: FilterSpec<T>;
  /** The tags that `tag:<key>`, `tag-key` and `tag-value` filters read. */
  readonly tagsOf: (item: T) => ReadonlyMap<string, string>;
  readonly input: { MaxResults?: number | undefined; NextToken?: string | undefined; DryRun?: boolean | undefined };
  /** MaxResults bounds where EC2 pages this action. */
  readonly paging?: PageLimits | undefined;
}

/**
 * Runs a Describe query the way EC2 does: ids, then filters, then one page (or DryRunOperation).
 * In permissive mode, as on moto, nothing is paged.
 */
export function describe<T>(world: World, query: DescribeQuery<T>): { page: T[]; nextToken: string | undefined } {
  const named = query.ids !== undefined && query.ids.length > 0;
  const paging = world.config.permissive ? undefined : query.paging;
  if (named && paging && query.input.MaxResults !== undefined) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      `The parameter ${query.idsParam} cannot be used with the parameter maxResults`,
    );
  }
  const base = named ? query.lookup(query.ids ?? []) : query.all();
  const matching = applyFilters(base, query.filters, query.spec, query.tagsOf);
  world.dryRun(query.input);
  if (!paging) return { page: matching, nextToken: undefined };
  return paginate(matching, query.input, paging);
}

/**
 * The values of the filter `name` when they are exact ids (no wildcards), so that a read of a
 * few ids among thousands looks up those alone; `undefined` otherwise. Only a shortcut: the
 * filter still applies afterwards.
 */
export function exactIds(filters: readonly Filter[] | undefined, name: string): string[] | undefined {
  const filter = filters?.find((f) => f.Name === name);
  return filter && exactValues(filter);
}

/** A filter's values when they are all exact (no wildcards), without repeats; `undefined` otherwise. */
export function exactValues(filter: Filter): string[] | undefined {
  const values = filter.Values;
  if (values === undefined || values.some((value) => /[*?\\]/.test(value))) return undefined;
  return [...new Set(values)];
}

/** Tags as a map, from an answer's `TagSet` or `Tags` list. */
export function tagMap(tags: readonly Tag[] | undefined): Map<string, string> {
  return new Map((tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
}

/** EC2's MaxResults bounds for most paginated Describe actions. */
export const STANDARD_PAGING: PageLimits = { min: 5, max: 1000 };
