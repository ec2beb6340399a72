// The `eni-kit` command, in-process against the EC2 simulator on a fake clock: every command, every
// exit code, and the human, --json and --events outputs.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Eni } from "../../src/index.js";
import { EXIT_CODES, exitCode } from "../../src/cli/exit-codes.js";
import { floating, settleTimers, wait } from "../scenarios/world.js";
import { cli } from "./run.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The floating ENI's world, and the command run on its client under the fake clock. */
async function world(options: Parameters<typeof floating>[0] = {}) {
  const w = await floating({ settle: settleTimers, ...options });
  const run = (...argv: string[]) => cli(argv, { client: w.ec2 }, settleTimers);
  return { ...w, run };
}

const COMMANDS = ["ls", "show", "create", "attach", "detach", "move", "delete", "check-permissions", "orphans", "demo"];

describe("eni-kit --help", () => {
  it("lists every command and the exit codes, and exits 0", async () => {
    const { code, stdout } = await cli(["--help"]);

    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    for (const { code: exit, meaning } of EXIT_CODES)
      expect(stdout).toContain(`${String(exit).padStart(3)}  ${meaning}`);
  });

  it.each(COMMANDS)("%s --help lists its options, the global ones and the exit codes", async (command) => {
    const { code, stdout } = await cli([command, "--help"]);

    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: eni-kit ${command}`);
    expect(stdout).toContain("--json");
    expect(stdout).toContain("--endpoint <url>");
    expect(stdout).toContain("Exit codes:");
    expect(stdout).toContain("130  interrupted");
  });

  it("prints the version", async () => {
    const { code, stdout } = await cli(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("bad arguments exit 2 (validation) before any request", () => {
  it.each([
    [["move", "eni-0123456789abcdef0"], "required option '--to <instance>' not specified"],
    [["frobnicate"], "unknown command 'frobnicate'"],
    [["ls", "--colour"], "unknown option '--colour'"],
    [
      ["detach", "eni-0123456789abcdef0", "--force-after", "soon"],
      'Expected a number of seconds, 0 or more, got "soon"',
    ],
    [["detach", "eni-0123456789abcdef0", "--force", "--force-after", "5"], "cannot be used with option '--force'"],
    [["show", "eni-0123456789abcdef0", "--json", "--events"], "cannot be used with option '--events'"],
    [["create", "--subnet", "subnet-1", "--name", "x", "--tag", "team"], 'Expected key=value, got "team"'],
    [["demo", "--speed", "0"], "Expected a positive number"],
  ])("eni-kit %j", async (argv, message) => {
    const { sim, run } = await world();

    const { code, stderr } = await run(...argv);

    expect(code).toBe(exitCode("validation"));
    expect(stderr).toContain(message);
    expect(sim.calls).toEqual([]);
  });

  it("a malformed id is the library's ValidationError, with its message, as JSON too", async () => {
    const { sim, run } = await world();

    const { code, stdout, stderr } = await run("show", "eni-nope", "--json");

    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: ValidationError: Expected `id`/);
    expect(JSON.parse(stdout)).toMatchObject({ error: { name: "ValidationError", field: "id" } });
    expect(sim.calls).toEqual([]);
  });

  it("orphans --reap without --yes refuses", async () => {
    const { sim, run } = await world();
    const { code, stderr } = await run("orphans", "--reap");
    expect(code).toBe(2);
    expect(stderr).toContain("add --yes to confirm");
    expect(sim.calls).toEqual([]);
  });
});

describe("ls and show", () => {
  it("ls lists the ENIs as a table, and filters by name, tag, instance, subnet and status", async () => {
    const { eni, primary, subnetId, run } = await world();

    const all = await run("ls");
    const mine = await run(
      "ls",
      "--name",
      "floating",
      "--tag",
      "Name=floating",
      "--tag",
      "eni-kit:managed-by",
      "--instance",
      primary,
      "--subnet",
      subnetId,
      "--status",
      "in-use",
      "--json",
    );
    const none = await run("ls", "--status", "available");

    expect(all.code).toBe(0);
    expect(all.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+STATUS\s+INSTANCE\s+DEVICE\s+PRIVATE IP\s+SUBNET\s+AZ$/);
    expect(all.stdout).toMatch(new RegExp(`^${eni.id}\\s+floating\\s+in-use\\s+${primary}\\s+1\\s`, "m"));
    expect((mine.json().enis as { id: string }[]).map((e) => e.id)).toEqual([eni.id]);
    expect(mine.json().enis[0].raw).toBeUndefined();
    expect(none.stdout).toBe("no ENI matches\n");
  });

  it("ls with a bad status is a ValidationError", async () => {
    const { run } = await world();
    expect((await run("ls", "--status", "floating")).code).toBe(2);
  });

  it("show prints the snapshot; --json prints it as one object", async () => {
    const { eni, primary, run } = await world();

    const human = await run("show", eni.id);
    const json = await run("--json", "show", eni.id);

    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${eni.id}  floating`);
    expect(human.stdout).toMatch(new RegExp(`status\\s+in-use on ${primary} \\(device 1, attached\\)`));
    expect(json.json().eni).toMatchObject({ id: eni.id, status: "in-use", attachment: { instanceId: primary } });
  });

  it("show of an ENI that does not exist exits 3 (not found)", async () => {
    const { run } = await world();
    const { code, stderr } = await run("show", "eni-0123456789abcdef0");
    expect(code).toBe(exitCode("not-found"));
    expect(stderr).toContain("NotFoundError");
  });
});

describe("create, attach, detach, delete", () => {
  it("create makes a tagged ENI in the subnet with its groups and description", async () => {
    const { sim, eni, subnetId, run } = await world();
    const { groupId } = sim.addSecurityGroup({ vpcId: eni.vpcId, name: "db" });

    const { code, stdout } = await run(
      "create",
      "--subnet",
      subnetId,
      "--name",
      "db-eni",
      "--sg",
      groupId,
      "--description",
      "floating db",
      "--tag",
      "team=db",
      "--tag",
      "tier=1",
      "--json",
    );

    expect(code).toBe(0);
    const created = JSON.parse(stdout).eni;
    expect(created).toMatchObject({
      name: "db-eni",
      description: "floating db",
      subnetId,
      tags: { team: "db", tier: "1" },
    });
    expect((created.securityGroups as { id: string }[]).map((g) => g.id)).toEqual([groupId]);
    expect(sim.networkInterface(created.id)?.Status).toBe("available");
  });

  it("create in a subnet that does not exist exits 3", async () => {
    const { run } = await world();
    expect((await run("create", "--subnet", "subnet-0123456789abcdef0", "--name", "x")).code).toBe(3);
  });

  it("attach, then detach, print their phases and the snapshot", async () => {
    const { sim, ec2, subnetId, standby, run } = await world();
    const spare = (await settleTimers(Eni.create(ec2, { subnetId, ...wait })))._unsafeUnwrap();

    const attached = await run("attach", spare.id, "--to", standby);
    const detached = await run("detach", spare.id);

    expect(attached.code).toBe(0);
    expect(attached.stdout).toMatch(/\] attach…\n/);
    expect(attached.stdout).toMatch(/\] ✔ attach done in \d+\.\d\d s\n/);
    expect(attached.stdout).toContain(`attached ${spare.id} to ${standby}`);
    expect(detached.code).toBe(0);
    expect(detached.stdout).toMatch(/✔ detach done in/);
    expect(sim.networkInterface(spare.id)?.Status).toBe("available");
  });

  it("attach to an instance in another AZ exits 4; to a full instance, 5", async () => {
    const { sim, ec2, subnetId, elsewhere, run } = await world();
    const spare = (await settleTimers(Eni.create(ec2, { subnetId, ...wait })))._unsafeUnwrap();
    const small = sim.addInstance({ subnetId, instanceType: "t3.nano" }).instanceId;
    const other = (await settleTimers(Eni.create(ec2, { subnetId, ...wait }).attachTo(small, wait)))._unsafeUnwrap();

    const az = await run("attach", spare.id, "--to", elsewhere);
    const full = await run("attach", spare.id, "--to", small, "--json");

    expect(az.code).toBe(exitCode("az-mismatch"));
    expect(az.stderr).toContain("AzMismatchError");
    expect(full.code).toBe(exitCode("limit"));
    expect(full.json().error).toMatchObject({ name: "AttachmentLimitError", instanceType: "t3.nano" });
    expect(other.attachment?.instanceId).toBe(small);
  });

  it("detach of the primary ENI exits 7 (invalid state)", async () => {
    const { sim, primary, run } = await world();
    const primaryEni = sim.instance(primary)?.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? "";
    const { code, stderr } = await run("detach", primaryEni);
    expect(code).toBe(exitCode("invalid-state"));
    expect(stderr).toContain("InvalidStateError");
  });

  it("detach --force forces; --force-after forces a detach that hangs", async () => {
    const { sim, eni, run } = await world();
    sim.faults.hangDetach(eni.id);

    const { code, stdout } = await run("detach", eni.id, "--force-after", "5");

    expect(code).toBe(0);
    expect(stdout).toContain("graceful detach too slow: forcing it");
    const detaches = sim.calls
      .filter((c) => c.action === "DetachNetworkInterface")
      .map((c) => c.input["Force"] === true);
    expect(detaches[0]).toBe(false);
    expect(detaches.at(-1)).toBe(true);
    expect(sim.networkInterface(eni.id)?.Status).toBe("available");
  });

  it("detach that does not finish in --max-wait exits 8 (timeout)", async () => {
    const { sim, eni, run } = await world();
    sim.faults.hangDetach(eni.id);
    const { code, stderr } = await run("detach", eni.id, "--max-wait", "5");
    expect(code).toBe(exitCode("timeout"));
    expect(stderr).toContain("WaitTimeoutError");
  });

  it("delete refuses an attached ENI (7); --detach-first deletes it; a second delete says it was gone", async () => {
    const { sim, eni, run } = await world();

    const refused = await run("delete", eni.id);
    const deleted = await run("delete", eni.id, "--detach-first", "--json");
    const again = await run("delete", eni.id);

    expect(refused.code).toBe(exitCode("invalid-state"));
    expect(deleted.code).toBe(0);
    expect(deleted.json()).toEqual({ deleted: { id: eni.id, alreadyGone: false } });
    expect(sim.networkInterface(eni.id)).toBeUndefined();
    expect(again.stdout).toContain("was already gone");
  });
});

describe("move", () => {
  it("prints each phase as it happens, with the elapsed time, then the report", async () => {
    const { sim, eni, primary, standby, run } = await world();

    const { code, stdout } = await run(
      "move",
      eni.id,
      "--to",
      standby,
      "--expected-from",
      primary,
      "--force-after",
      "30",
    );

    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^\\[ +\\d+\\.\\d\\d s\\] moving ${eni.id} to ${standby} \\(fence: from ${primary}\\)$`),
    );
    const phases = lines.filter((line) => /^\[ +\d+\.\d\d s\] (✔ )?\w+( done in [\d.]+ s|…)$/.test(line));
    expect(phases.map((line) => line.replace(/^\[[^\]]+\] /, "").replace(/ in .*/, ""))).toEqual([
      "preflight…",
      "✔ preflight done",
      "detach…",
      "✔ detach done",
      "attach…",
      "✔ attach done",
    ]);
    expect(stdout).toContain(`move ${eni.id}: moved`);
    expect(stdout).toContain(`from ${primary} (device 1) to ${standby}`);
    expect(stdout).toMatch(/\d+ API calls \(.*AttachNetworkInterface 1.*\), 0 retries/);
    expect(stdout).toContain(`${eni.id} is in-use on ${standby} (device 1, attached)`);
    expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(standby);
  });

  it("--json prints one object: the snapshot and the report", async () => {
    const { eni, primary, standby, run } = await world();

    const { code, stdout } = await run("move", eni.id, "--to", standby, "--expected-from", primary, "--json");

    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result).sort()).toEqual(["eni", "report"]);
    expect(result.report).toMatchObject({
      outcome: "moved",
      to: standby,
      from: { kind: "attached", instanceId: primary },
    });
    expect(result.eni.attachment.instanceId).toBe(standby);
  });

  it("--events prints NDJSON as it happens: phases, calls, states, the done event, then the result", async () => {
    const { eni, standby, run } = await world();

    const ran = await run("move", eni.id, "--to", standby, "--events");

    expect(ran.code).toBe(0);
    const events = ran.events();
    const types = new Set(events.map((event) => event["type"] as string));
    expect([...types]).toEqual(expect.arrayContaining(["phase-start", "phase-end", "call", "state", "done", "result"]));
    expect(events.at(-1)).toMatchObject({ type: "result", report: { outcome: "moved" } });
    expect(events.at(-2)).toMatchObject({ type: "done", eniId: eni.id });
    for (const event of events.slice(0, -1))
      expect(event).toMatchObject({ time: expect.any(String), elapsedMs: expect.any(Number) });
  });

  it("a fence that does not hold exits 6 (conflict), and nothing changes", async () => {
    const { sim, eni, standby, elsewhere, run } = await world();

    const { code, stderr } = await run("move", eni.id, "--to", standby, "--expected-from", elsewhere);

    expect(code).toBe(exitCode("conflict"));
    expect(stderr).toContain("ConflictError");
    expect(sim.calls.filter((c) => /^(Attach|Detach)/.test(c.action))).toEqual([]);
  });

  it("a target in another AZ exits 4", async () => {
    const { eni, elsewhere, run } = await world();
    expect((await run("move", eni.id, "--to", elsewhere)).code).toBe(exitCode("az-mismatch"));
  });

  it("an attach that fails for good rolls back: exit 11, with the report and where the ENI is", async () => {
    const { sim, eni, primary, standby, run } = await world();
    sim.faults.failNext("AttachNetworkInterface", "UnauthorizedOperation");

    const { code, stderr } = await run("move", eni.id, "--to", standby, "--expected-from", primary);

    expect(code).toBe(exitCode("move-rolled-back"));
    expect(stderr).toContain("error: MoveFailedError:");
    expect(stderr).toContain("it was rolled back to its source");
    expect(stderr).toContain(`move ${eni.id}: rolled-back`);
    expect(sim.networkInterface(eni.id)?.Attachment?.InstanceId).toBe(primary);
  });

  it("--no-rollback leaves the ENI free: exit 12, and --json says where it is", async () => {
    const { sim, eni, standby, run } = await world();
    sim.faults.failNext("AttachNetworkInterface", "UnauthorizedOperation");

    const { code, stdout } = await run("move", eni.id, "--to", standby, "--no-rollback", "--json");

    expect(code).toBe(exitCode("move-not-attached"));
    expect(JSON.parse(stdout).error).toMatchObject({
      name: "MoveFailedError",
      rolledBack: false,
      eni: { status: "available" },
      reason: { name: "AccessDeniedError" },
      report: { outcome: "failed" },
    });
    expect(sim.networkInterface(eni.id)?.Status).toBe("available");
  });

  it("Ctrl-C (the signal) during the detach stops the move and says where the ENI was left: exit 130", async () => {
    const { sim, eni, standby, ec2 } = await world();
    sim.faults.hangDetach(eni.id);
    const interrupt = new AbortController();
    const stdout = {
      isTTY: false,
      text: "",
      write(text: string) {
        this.text += text;
        if (text.includes("detach…")) interrupt.abort();
        return true;
      },
    };
    const stderr = {
      text: "",
      write(text: string) {
        this.text += text;
        return true;
      },
    };

    const { main } = await import("../../src/cli/main.js");
    const code = await settleTimers(
      main(["move", eni.id, "--to", standby], { client: ec2, stdout, stderr, signal: interrupt.signal, env: {} }),
    );

    expect(code).toBe(exitCode("interrupted"));
    expect(stderr.text).toContain("AbortedError");
    expect(stderr.text).toMatch(new RegExp(`${eni.id} was left in-use on [^ ]+ \\(device 1, (attached|detaching)\\)`));
  });

  it("Ctrl-C before a detach reads and prints where the ENI was left", async () => {
    const { eni, ec2 } = await world();
    const interrupt = new AbortController();
    interrupt.abort();

    const ran = await cli(["detach", eni.id], { client: ec2, signal: interrupt.signal }, settleTimers);

    expect(ran.code).toBe(130);
    expect(ran.stderr).toContain(`${eni.id} was left in-use on`);
  });
});

describe("EC2's refusals", () => {
  it("throttling that outlasts the retries exits 9", async () => {
    const { sim, eni, run } = await world({ client: { maxAttempts: 1 } });
    sim.faults.throttleNext(1000, "DescribeNetworkInterfaces");
    const { code, stderr } = await run("show", eni.id);
    expect(code).toBe(exitCode("throttled"));
    expect(stderr).toContain("ThrottledError");
  });

  it("a denied action exits 10", async () => {
    const { sim, run } = await world();
    sim.denyActions(["DescribeNetworkInterfaces"]);
    expect((await run("ls")).code).toBe(exitCode("access-denied"));
  });

  it("any other failure of EC2 exits 13", async () => {
    const { sim, eni, run } = await world({ client: { maxAttempts: 1 } });
    sim.faults.failNext("DescribeNetworkInterfaces", "InternalError", 1000);
    const { code, stderr } = await run("show", eni.id);
    expect(code).toBe(exitCode("aws"));
    expect(stderr).toContain("AwsError");
  });

  it("a failure of the command itself exits 1 and never throws", async () => {
    const { ec2 } = await world();
    const broken = {
      write: () => {
        throw new Error("stdout closed");
      },
    };
    const { main } = await import("../../src/cli/main.js");
    const stderr = {
      text: "",
      write(text: string) {
        this.text += text;
        return true;
      },
    };

    const code = await settleTimers(main(["ls"], { client: ec2, stdout: broken, stderr, env: {} }));

    expect(code).toBe(exitCode("unexpected"));
    expect(stderr.text).toContain("unexpected error: Error: stdout closed");
  });
});

describe("check-permissions", () => {
  it("dry-runs the move's requests: all allowed exits 0", async () => {
    const { eni, primary, standby, run } = await world();
    const { code, stdout } = await run("check-permissions", eni.id, "--to", standby, "--expected-from", primary);
    expect(code).toBe(0);
    expect(stdout).toContain("every request of the move would be allowed");
    expect(stdout).toMatch(/allowed {2}ec2:AttachNetworkInterface/);
  });

  it("a denied action exits 10 and is listed", async () => {
    const { sim, eni, standby, run } = await world();
    sim.denyActions(["AttachNetworkInterface"]);

    const { code, stdout } = await run("check-permissions", eni.id, "--to", standby, "--json");

    expect(code).toBe(exitCode("access-denied"));
    expect(JSON.parse(stdout).report).toMatchObject({ allAllowed: false, denied: ["AttachNetworkInterface"] });
  });
});

describe("orphans", () => {
  it("lists nothing on the first pass (it only marks), then lists and, with --reap --yes, deletes", async () => {
    const { sim, ec2, subnetId, run } = await world();
    const spare = (await settleTimers(Eni.create(ec2, { subnetId, name: "left-over", ...wait })))._unsafeUnwrap();

    const first = await run("orphans", "--older-than", "0", "--json");
    const second = await run("orphans", "--older-than", "0");
    const reaped = await run("orphans", "--older-than", "0", "--reap", "--yes");

    expect(first.json()).toEqual({ orphans: [] });
    expect(second.stdout).toContain(spare.id);
    expect(reaped.code).toBe(0);
    expect(reaped.stdout).toContain(`deleted 1: ${spare.id}`);
    expect(sim.networkInterface(spare.id)).toBeUndefined();
  });
});

describe("demo", () => {
  it("tells the walkthrough on the built-in simulator", async () => {
    const { code, stdout, stderr } = await cli(["demo"], {}, settleTimers);

    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("4. Try to move it to");
    expect(stdout).toContain("refused before any change: AzMismatchError");
    expect(stdout).toContain("5. Fail over: move it to the second instance");
    expect(stdout).toMatch(/Done, on Node\.js/);
  });

  it("Ctrl-C ends it at once: exit 130, saying nothing is left behind", async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 3_000);

    const { code, stdout } = await cli(["demo"], { signal: interrupt.signal }, settleTimers);

    expect(code).toBe(exitCode("interrupted"));
    expect(stdout).toContain("1. Launch");
    expect(stdout).not.toContain("5. Fail over");
    expect(stdout).toContain("nothing is left behind");
  });

  it("--events tells it as NDJSON steps; --json as one object", async () => {
    const events = await cli(["demo", "--speed", "10", "--events"], {}, settleTimers);
    const json = await cli(["demo", "--speed", "10", "--json"], {}, settleTimers);

    expect(
      events
        .events()
        .filter((e) => e.type === "step")
        .map((e) => (e["text"] as string).slice(0, 2)),
    ).toEqual(["1.", "2.", "3.", "4.", "5.", "6.", "Do"]);
    expect(json.json().steps).toHaveLength(events.events().filter((e) => e.type !== "result").length);
  });
});

describe("the human output on a terminal", () => {
  it("colours the marks, unless NO_COLOR is set", async () => {
    const { ec2, subnetId, standby } = await world();
    const spare = (await settleTimers(Eni.create(ec2, { subnetId, ...wait })))._unsafeUnwrap();
    const ecma = new RegExp(String.raw`\u001B\[3\dm`);

    const coloured = await cli(["attach", spare.id, "--to", standby], { client: ec2, tty: true }, settleTimers);
    const plain = await cli(["detach", spare.id], { client: ec2, tty: true, env: { NO_COLOR: "1" } }, settleTimers);

    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toMatch(ecma);
    expect(coloured.stdout).toContain("attach done in");
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toMatch(ecma);
    expect(plain.stdout).toContain("detach done in");
  });
});
