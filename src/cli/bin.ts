#!/usr/bin/env node
/**
 * The `eni-kit` bin: wires the process (argv, streams, Ctrl-C, the exit code) to `main`. The
 * first Ctrl-C aborts the running operation through its `abortSignal`, and the command says where
 * the ENI was left; a second one exits at once.
 */
import { exitCode } from "./exit-codes.js";
import { main } from "./main.js";

// The SDK warns mid-output that its 2027 releases need Node.js 22 (docs/cli.md says so instead).
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

const interrupted = new AbortController();
process.on("SIGINT", () => {
  if (interrupted.signal.aborted) process.exit(exitCode("interrupted"));
  process.stderr.write("\nInterrupted: stopping between steps (Ctrl-C again to exit at once)…\n");
  interrupted.abort();
});

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupted.signal,
});
// Exit as soon as the output is written, not when the event loop drains: after an interrupted
// wait, the SDK waiter engine's last timer runs out on its own (up to 8 s by default).
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
