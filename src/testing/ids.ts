import { Random } from "./random.js";

/** Id prefixes EC2 uses for the resources the simulator models. */
export type IdPrefix =
  "vpc" | "igw" | "subnet" | "sg" | "eni" | "eni-attach" | "ela-attach" | "i" | "r" | "eipalloc" | "eipassoc";

/** Account id that owns every simulated resource. */
export const OWNER_ID = "123456789012";

/**
 * Whether `id` has EC2's shape for `prefix`: the prefix, a dash, and 8 (older
 * resources) or 17 lowercase hex digits.
 */
export function isWellFormedId(id: string, prefix: IdPrefix | "ami"): boolean {
  return new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
}

/**
 * Deterministic source of EC2-shaped ids, MAC addresses and request ids.
 * Seeded so that a test run, and the demo's step log, is reproducible.
 */
export class IdFactory {
  // mulberry32: tiny, fast, and good enough to make ids look random.
  private readonly random: Random;
  private readonly issued = new Set<string>();

  constructor(seed: number) {
    this.random = new Random(seed);
  }

  /** A fresh `prefix-` id with 17 hex digits, never handed out before. */
  id(prefix: IdPrefix): string {
    for (;;) {
      const id = `${prefix}-${this.hex(17)}`;
      if (!this.issued.has(id)) {
        this.issued.add(id);
        return id;
      }
    }
  }

  /** A locally administered unicast MAC, like the ones EC2 hands out (`0a:1b:…`). */
  mac(): string {
    const first = `0${"26ae".charAt(this.random.next() % 4)}`;
    const rest = Array.from({ length: 5 }, () => this.hex(2));
    return [first, ...rest].join(":");
  }

  /** A request id in EC2's UUID form. */
  requestId(): string {
    return [this.hex(8), this.hex(4), this.hex(4), this.hex(4), this.hex(12)].join("-");
  }

  private hex(digits: number): string {
    let out = "";
    while (out.length < digits) out += (this.random.next() % 16).toString(16);
    return out;
  }
}
