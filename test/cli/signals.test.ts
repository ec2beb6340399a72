// The bin's Ctrl-C, in a child process (the source, run with tsx): the first press stops the
// command between steps and it then reads where the ENI was left; when EC2 does not answer even
// that read, a second press ends the process at once.
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exitCode } from "../../src/cli/exit-codes.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** An EC2 endpoint that takes every request and never answers. */
async function silentEc2() {
  const requests: IncomingMessage[] = [];
  const server = createServer((request) => requests.push(request));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe("Ctrl-C in the eni-kit process", () => {
  it("a second press exits at once (130) while the first one's read of where the ENI was left hangs", async () => {
    const ec2 = await silentEc2();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/bin.ts", "detach", "eni-0123456789abcdef0", "--endpoint", ec2.endpoint],
      {
        cwd: repo,
        env: { ...process.env, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    cleanups.push(() => child.kill("SIGKILL"));
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

    await vi.waitFor(() => expect(ec2.requests).toHaveLength(1), { timeout: 15_000, interval: 20 });
    child.kill("SIGINT");
    // The read of where the ENI was left goes out, and hangs as well (up to its 10 s).
    await vi.waitFor(() => expect(ec2.requests).toHaveLength(2), { timeout: 5000, interval: 20 });
    expect(stderr).toContain("Ctrl-C again to exit at once");
    expect(child.exitCode).toBeNull();

    const pressed = Date.now();
    child.kill("SIGINT");
    expect(await exited).toBe(exitCode("interrupted"));
    expect(Date.now() - pressed).toBeLessThan(1000);
  }, 30_000);
});
