// `--to self`: the instance the command runs on, from the instance metadata service (IMDSv2), here
// a fake one on the loopback. Real timers: the metadata client's requests are real HTTP.
import { request } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Eni } from "../../src/index.js";
import { exitCode } from "../../src/cli/exit-codes.js";
import { floating, wait } from "../scenarios/world.js";
import { fakeImds } from "./fake-imds.js";
import { cli } from "./run.js";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The status of a plain request to the fake. */
function statusOf(url: string, method: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { method, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });
}

describe("the fake IMDS", () => {
  it("refuses a GET without the token (IMDSv2 only)", async () => {
    const imds = await fakeImds("i-0123456789abcdef0");
    servers.push(imds);

    expect(await statusOf(`${imds.endpoint}/latest/meta-data/instance-id`, "GET")).toBe(401);
    expect(
      await statusOf(`${imds.endpoint}/latest/api/token`, "PUT", { "x-aws-ec2-metadata-token-ttl-seconds": "60" }),
    ).toBe(200);
  });
});

describe("--to self", () => {
  it("attaches to the instance the metadata service names, asking with an IMDSv2 token", async () => {
    const { sim, ec2, subnetId, standby } = await floating({
      simulator: { timings: { createMs: 0, attachMs: 0, detachMs: 0 } },
    });
    const spare = (await Eni.create(ec2, { subnetId, ...wait }))._unsafeUnwrap();
    const imds = await fakeImds(standby);
    servers.push(imds);

    const ran = await cli(["attach", spare.id, "--to", "self"], { client: ec2, metadataEndpoint: imds.endpoint });

    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`--to self: this instance is ${standby}`);
    expect(sim.networkInterface(spare.id)?.Attachment?.InstanceId).toBe(standby);
    expect(imds.requests).toEqual([
      { method: "PUT", path: "/latest/api/token", token: false },
      { method: "GET", path: "/latest/meta-data/instance-id", token: true },
    ]);
  });

  it("moves and checks permissions towards self", async () => {
    const { eni, ec2, primary, standby } = await floating({
      simulator: { timings: { createMs: 0, attachMs: 0, detachMs: 0 } },
    });
    const imds = await fakeImds(standby);
    servers.push(imds);
    const io = { client: ec2, metadataEndpoint: imds.endpoint };

    const checked = await cli(["check-permissions", eni.id, "--to", "self", "--expected-from", primary], io);
    const moved = await cli(["move", eni.id, "--to", "self", "--expected-from", primary, "--json"], io);

    expect(checked.code).toBe(0);
    expect(moved.code).toBe(0);
    expect(moved.json().report).toMatchObject({ outcome: "moved", to: standby });
  });

  it("Ctrl-C while the metadata service does not answer ends the command at once: exit 130", async () => {
    const { eni, ec2, primary } = await floating();
    const imds = await fakeImds("i-0123456789abcdef0", { hang: true });
    servers.push(imds);
    const interrupt = new AbortController();

    const running = cli(["move", eni.id, "--to", "self"], {
      client: ec2,
      metadataEndpoint: imds.endpoint,
      signal: interrupt.signal,
    });
    await vi.waitFor(() => expect(imds.requests).toHaveLength(1), { timeout: 2000, interval: 10 });
    const pressed = Date.now();
    interrupt.abort();
    const ran = await running;

    expect(ran.code).toBe(exitCode("interrupted"));
    expect(ran.stderr).toContain("interrupted while reading this instance's id");
    expect(Date.now() - pressed).toBeLessThan(500); // the metadata client alone would wait 2 s, twice
    expect((await Eni.get(ec2, eni.id))._unsafeUnwrap().attachment?.instanceId).toBe(primary);
  });

  it("without a metadata service, fails fast with exit 1 and says why", async () => {
    const { eni, ec2 } = await floating();
    const imds = await fakeImds("i-0123456789abcdef0");
    await imds.close(); // a port nothing listens on

    const started = Date.now();
    const ran = await cli(["move", eni.id, "--to", "self"], { client: ec2, metadataEndpoint: imds.endpoint });

    expect(ran.code).toBe(exitCode("unexpected"));
    expect(ran.stderr).toContain(
      "--to self: could not read this instance's id from the instance metadata service (IMDSv2)",
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("without an injected client", () => {
  it("makes one from --region and --endpoint and the SDK's chain (here, the environment's keys)", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDCLITEST");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "cli-test");
    try {
      const imds = await fakeImds("i-0123456789abcdef0");
      await imds.close(); // a port nothing listens on: EC2 unreachable

      const ran = await cli(["ls", "--region", "us-east-1", "--endpoint", imds.endpoint]);

      expect(ran.code).toBe(exitCode("aws"));
      expect(ran.stderr).toContain("AwsError");
      expect(ran.stderr).toContain("ECONNREFUSED");
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
