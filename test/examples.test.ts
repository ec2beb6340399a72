import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { verifyFailoverPermissions } from "../examples/check-permissions.js";
import { logEvent, traceMove, type Span } from "../examples/events.js";
import { failover } from "../examples/failover.js";
import { gettingStarted } from "../examples/getting-started.js";
import { Eni } from "../src/index.js";
import { Ec2Simulator } from "../src/testing/index.js";
import { codeBlocks } from "./docs/snippets.js";
import { wait as scenarioWait } from "./scenarios/world.js";

const repo = fileURLToPath(new URL("..", import.meta.url));

// The scenarios' polls, with a deadline above the failover example's 30 s `forceAfter`.
const wait = { ...scenarioWait, maxWaitTime: 60 };

function sandbox() {
  const sim = new Ec2Simulator({ timings: { createMs: 10, attachMs: 20, detachMs: 30 } });
  const { vpcId } = sim.addVpc();
  const { subnetId } = sim.addSubnet({ vpcId, availabilityZone: "us-east-1a" });
  const { groupId } = sim.addSecurityGroup({ vpcId, name: "docs" });
  const primary = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;
  const standby = sim.addInstance({ subnetId, instanceType: "m5.large" }).instanceId;
  return { sim, ec2: sim.client(), subnetId, groupId, primary, standby };
}

describe("the examples, on the simulator", () => {
  it("getting-started: creates, attaches, finds, detaches and deletes an ENI", async () => {
    const { sim, ec2, subnetId, groupId, primary } = sandbox();

    const lines = await gettingStarted(ec2, { subnetId, securityGroupId: groupId, instanceId: primary }, wait);

    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^eni-[0-9a-f]+ is in-use on ${primary} at device index 1$`));
    expect(lines[1]).toBe("found getting-started");
    expect(lines[2]).toMatch(/^deleted eni-/);
    const id = /^deleted (eni-[0-9a-f]+)$/.exec(lines[2] ?? "")?.[1] ?? "";
    expect(sim.networkInterface(id)).toBeUndefined();
  });

  it("getting-started: explains a refusal instead of throwing", async () => {
    const { ec2, subnetId, groupId } = sandbox();
    const lines = await gettingStarted(
      ec2,
      { subnetId, securityGroupId: groupId, instanceId: "i-0123456789abcdef0" },
      wait,
    );
    expect(lines).toEqual(["No such instance: i-0123456789abcdef0."]);
  });

  it("check-permissions: empty when allowed, one line per denied action otherwise", async () => {
    const { sim, ec2, subnetId, primary, standby } = sandbox();
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId });
    const plan = { eniId: networkInterfaceId, expectedFrom: primary, to: standby };

    const unattached = await verifyFailoverPermissions(ec2, plan);
    sim.denyActions(["DetachNetworkInterface"]);
    const denied = await verifyFailoverPermissions(ec2, plan);

    // Not attached: the detach can only be tried on a placeholder attachment, which EC2 may not know.
    expect(unattached.every((line) => line.startsWith("ec2:DetachNetworkInterface could not be checked"))).toBe(true);
    expect(denied).toEqual([expect.stringMatching(/^ec2:DetachNetworkInterface is denied: /)]);
  });

  it("failover: moves the floating ENI", async () => {
    const { sim, ec2, subnetId, primary, standby } = sandbox();
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId });
    (await Eni.get(ec2, networkInterfaceId).attachTo(primary, wait))._unsafeUnwrap();

    const result = await failover(ec2, { eniId: networkInterfaceId, expectedFrom: primary, to: standby }, wait);

    expect(result).toMatchObject({ outcome: "moved", page: "none", report: { outcome: "moved", forced: false } });
    expect(sim.networkInterface(networkInterfaceId)?.Attachment?.InstanceId).toBe(standby);
  });
});

describe("the events example, on the simulator", () => {
  it("logs a move as JSON lines and traces it as one span with its phases, ended with the outcome", async () => {
    // Prepare
    const { sim, ec2, subnetId, primary, standby } = sandbox();
    const { networkInterfaceId } = sim.addNetworkInterface({ subnetId });
    (await Eni.get(ec2, networkInterfaceId).attachTo(primary, wait))._unsafeUnwrap();
    const spanEvents: string[] = [];
    const span: Span & { status?: unknown; attributes: Record<string, unknown>; ended: boolean } = {
      attributes: {},
      ended: false,
      setAttribute(key, value) {
        this.attributes[key] = value;
      },
      addEvent: (name) => spanEvents.push(name),
      setStatus(status) {
        this.status = status;
      },
      end() {
        this.ended = true;
      },
    };
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => logged.push(line));
    const trace = traceMove(span);

    // Act
    const moved = await Eni.get(ec2, networkInterfaceId).moveTo(standby, {
      expectedFrom: primary,
      ...wait,
      onEvent: (event) => {
        logEvent(event);
        trace(event);
      },
    });
    vi.restoreAllMocks();

    // Assess
    expect(moved.isOk()).toBe(true);
    expect(spanEvents).toEqual([
      "preflight started",
      "preflight done",
      "detach started",
      "detach done",
      "attach started",
      "attach done",
    ]);
    expect(span).toMatchObject({ status: { code: 1 }, ended: true, attributes: { "eni.id": networkInterfaceId } });
    const lines = logged.map((line) => JSON.parse(line) as { type: string; eniId: string; source: string });
    expect(lines.length).toBeGreaterThan(6);
    expect(lines.every((line) => line.source === "eni-kit" && line.eniId === networkInterfaceId)).toBe(true);
    expect(lines.some((line) => line.type === "done")).toBe(false);
  });
});

/** Lines without their indentation and blank lines, so a snippet can sit at any depth in its program. */
const normalize = (code: string) =>
  code
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");

function contains(haystack: readonly string[], needle: readonly string[]): boolean {
  return haystack.some((_, start) => needle.every((line, i) => haystack[start + i] === line));
}

describe("the guides", () => {
  const guides = ["getting-started.md", "failover-runbook.md", "testing.md"];
  const programs = readdirSync(new URL("../examples/", import.meta.url))
    .filter((file) => file.endsWith(".ts"))
    .map((file) => ({ file, lines: normalize(readFileSync(new URL(`../examples/${file}`, import.meta.url), "utf8")) }));

  it.each(guides)("%s: every TypeScript block is taken from a program in examples/", (guide) => {
    // The page's hidden setup is for the type check (test/docs/snippets.test.ts), not a program's code.
    const blocks = codeBlocks(repo, `docs/${guide}`)
      .filter((block) => block.lang === "ts" && !block.setup)
      .map((block) => block.code);
    expect(blocks.length).toBeGreaterThan(0);
    const orphans = blocks.filter((block) => !programs.some((program) => contains(program.lines, normalize(block))));
    expect(orphans).toEqual([]);
  });
});
