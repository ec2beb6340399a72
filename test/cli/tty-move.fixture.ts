// Run by tty.test.ts under `script`, so that its stdout is a real terminal: a move on the
// simulator, with eni-kit's human output (the spinner) going to that terminal.
import { main } from "../../src/cli/main.js";
import { floating } from "../scenarios/world.js";

const { ec2, eni, standby } = await floating({ simulator: { timings: { createMs: 0, attachMs: 700, detachMs: 700 } } });
process.exitCode = await main(["move", eni.id, "--to", standby], {
  client: ec2,
  stdout: process.stdout,
  stderr: process.stderr,
});
