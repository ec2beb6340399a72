import { ipToString, parseIp } from "./cidr.js";

/**
 * One subnet's private IPv4 addresses and who holds each, with a cursor below which every
 * address is taken: the lowest free address is found from there, not by a scan of the subnet
 * and of every ENI in it, so that creating thousands of ENIs stays linear.
 */
export class IpPool<Owner> {
  private readonly owners = new Map<number, Owner>();
  /** Every usable address below it is taken; it is free itself, or past `last`. */
  private next: number;

  constructor(
    private readonly first: number,
    private readonly last: number,
  ) {
    this.next = first;
  }

  /** How many addresses are taken. */
  get used(): number {
    return this.owners.size;
  }

  /** Who holds `ip`, if anyone. */
  owner(ip: string): Owner | undefined {
    const value = parseIp(ip);
    return value === undefined ? undefined : this.owners.get(value);
  }

  /** Whether `value` is held. */
  has(value: number): boolean {
    return this.owners.has(value);
  }

  /**
   * The `count` lowest free addresses, apart from those in `excluded` (addresses the same request
   * takes); fewer when the subnet has no more.
   */
  lowestFree(count: number, excluded: ReadonlySet<number>): string[] {
    const picked: string[] = [];
    for (let ip = this.next; ip <= this.last && picked.length < count; ip++) {
      if (!this.owners.has(ip) && !excluded.has(ip)) picked.push(ipToString(ip));
    }
    return picked;
  }

  /** Gives `ip` to `owner`. */
  take(ip: string, owner: Owner): void {
    const value = parseIp(ip);
    if (value === undefined) return;
    this.owners.set(value, owner);
    while (this.next <= this.last && this.owners.has(this.next)) this.next++;
  }

  /** Frees `ip`, if `owner` holds it (a reassigned address already has its new owner). */
  release(ip: string, owner: Owner): void {
    const value = parseIp(ip);
    if (value === undefined || this.owners.get(value) !== owner) return;
    this.owners.delete(value);
    if (value >= this.first && value < this.next) this.next = value;
  }
}
