import type { Filter } from "@aws-sdk/client-ec2";
import { Ec2Error } from "../errors.js";
import { applyFilters, type FilterSpec, type PageLimits, paginate } from "../filters.js";
import type { Tags, World } from "../world.js";

/** How one Describe action finds, filters and pages its resources. */
export interface DescribeQuery<T extends { readonly tags: Tags }> {
  /** Every resource the call can see. */
  readonly all: readonly T[];
  /** The ids the request names, if any, and how to look them up (failing on unknown ones). */
  readonly ids: readonly string[] | undefined;
  readonly lookup: (ids: readonly string[]) => T[];
  readonly idsParam: string;
  readonly filters: readonly Filter[] | undefined;
  readonly spec: FilterSpec<T>;
  readonly input: { MaxResults?: number | undefined; NextToken?: string | undefined; DryRun?: boolean | undefined };
  /** MaxResults bounds where EC2 pages this action. */
  readonly paging?: PageLimits | undefined;
}

/** Runs a Describe query the way EC2 does: ids, then filters, then one page (or DryRunOperation). */
export function describe<T extends { readonly tags: Tags }>(
  world: World,
  query: DescribeQuery<T>,
): { page: T[]; nextToken: string | undefined } {
  const named = query.ids !== undefined && query.ids.length > 0;
  if (named && query.paging && query.input.MaxResults !== undefined) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      `The parameter ${query.idsParam} cannot be used with the parameter maxResults`,
    );
  }
  const base = named ? query.lookup(query.ids ?? []) : query.all;
  const matching = applyFilters(base, query.filters, query.spec, (item) => item.tags);
  world.dryRun(query.input);
  if (!query.paging) return { page: matching, nextToken: undefined };
  return paginate(matching, query.input, query.paging);
}

/** EC2's MaxResults bounds for most paginated Describe actions. */
export const STANDARD_PAGING: PageLimits = { min: 5, max: 1000 };
