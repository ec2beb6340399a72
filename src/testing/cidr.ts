/** An IPv4 CIDR block, as numbers. */
export interface Cidr {
  readonly text: string;
  readonly base: number;
  readonly prefix: number;
  readonly size: number;
}

/** The dotted form of a 32-bit address. */
export function ipToString(ip: number): string {
  return [24, 16, 8, 0].map((shift) => (ip >>> shift) & 255).join(".");
}

/** The 32-bit value of a dotted IPv4 address, or undefined when it is not one. */
export function parseIp(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256)) {
    return undefined;
  }
  return parts.reduce((ip, p) => ip * 256 + Number(p), 0);
}

/** Parses `a.b.c.d/n`; undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, bits, extra] = text.split("/");
  const base = parseIp(address ?? "");
  const prefix = Number(bits);
  if (base === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits ?? "") || prefix > 32) {
    return undefined;
  }
  const size = 2 ** (32 - prefix);
  return base % size === 0 ? { text, base, prefix, size } : undefined;
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

/** Whether two blocks share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/**
 * The addresses an ENI may use: AWS reserves the first four addresses and the
 * last one of every subnet.
 */
export function usableRange(cidr: Cidr): { first: number; last: number } {
  return { first: cidr.base + 4, last: cidr.base + cidr.size - 2 };
}
