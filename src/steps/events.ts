import type { NetworkInterface } from "@aws-sdk/client-ec2";
import { ok, ResultAsync, type Result } from "neverthrow";
import type { CallContext } from "../ec2/send.js";
import { invalid, type OptionCheck } from "../validation.js";
import type { ApiCall, EniEvent, Phase } from "../model.js";

/**
 * The `onEvent` option of the operations that change an ENI.
 *
 * @example
 * ```ts
 * const options: EventOptions = { onEvent: (event) => console.log(JSON.stringify(event)) };
 * ```
 */
export interface EventOptions {
  /** Told of each phase, API call, state change and retry. Its exceptions are ignored. */
  readonly onEvent?: ((event: EniEvent) => void) | undefined;
}

/** Checks an `onEvent` option: a function. */
export function checkCallback<F extends (event: never) => void>(): OptionCheck<F> {
  return (field, value) => (typeof value === "function" ? ok(value as F) : invalid(field, "a function", value));
}

/** The option spec of `onEvent`, for operations' option checks. */
export const EVENT_OPTIONS = { onEvent: [checkCallback<(event: EniEvent) => void>()] } as const;

/**
 * An operation's event log: tells `onEvent` of its phases, and, through `context` (passed with
 * every request and wait of the operation), of its API calls, the states it reads and its retries.
 * The state of the ENI is told only when it changes: waits read the same state over and over.
 * A hook that throws is ignored: logging must never break a failover.
 */
export function openEventLog<P extends Phase, Extra extends { readonly type: string } = never>(
  eniId: string,
  onEvent: ((event: EniEvent<P> | Extra) => void) | undefined,
  firstPhase: P,
) {
  let running = firstPhase;
  let lastState = "";
  const emit = (event: EniEvent<P> | Extra): void => {
    try {
      onEvent?.(event);
    } catch {
      // A logging hook must never break a failover.
    }
  };
  const context = {
    onCall: (call: ApiCall) => emit({ type: "call", eniId, call }),
    onState: (ni: NetworkInterface) => {
      // Every read of every wait passes here: without a hook, nothing to build or compare.
      if (onEvent === undefined) return;
      const event: EniEvent<P> = {
        type: "state",
        eniId,
        status: ni.Status ?? "unknown",
        attachedTo: ni.Attachment?.InstanceId,
        attachmentStatus: ni.Attachment?.Status,
      };
      const state = JSON.stringify(event);
      if (state === lastState) return;
      lastState = state;
      emit(event);
    },
    onRetry: (reason: string) => emit({ type: "retry", eniId, phase: running, reason }),
  } satisfies CallContext;
  return {
    emit,
    context,
    /** Runs one phase, telling its start and its end (with how it went and how long it took). */
    async phase<T, E>(phase: P, run: () => PromiseLike<Result<T, E>>): Promise<Result<T, E>> {
      running = phase;
      emit({ type: "phase-start", eniId, phase });
      const started = Date.now();
      const result = await run();
      emit({ type: "phase-end", eniId, phase, ok: result.isOk(), durationMs: Date.now() - started });
      return result;
    },
    /** {@link phase} for a `ResultAsync`. */
    step<T, E>(phase: P, run: () => ResultAsync<T, E>): ResultAsync<T, E> {
      return new ResultAsync(this.phase(phase, run));
    },
  };
}
