/**
 * A move's events as structured logs and as an OpenTelemetry span, without eni-kit depending on
 * OpenTelemetry. See docs/failover-runbook.md, "Seeing what it did: logs and traces".
 */
import type { MoveEvent } from "eni-kit";

export const logEvent = (event: MoveEvent) => {
  // The report is logged once, by the handler; everything else as it happens.
  if (event.type === "done") return;
  console.log(JSON.stringify({ level: event.type === "retry" ? "warn" : "info", source: "eni-kit", ...event }));
};

export interface Span {
  setAttribute(key: string, value: string | number | boolean): unknown;
  addEvent(name: string, attributes?: Record<string, string | number | boolean>): unknown;
  setStatus(status: { code: 1 | 2; message?: string }): unknown;
  end(): void;
}

export function traceMove(span: Span) {
  return (event: MoveEvent) => {
    switch (event.type) {
      case "phase-start":
        span.addEvent(`${event.phase} started`);
        break;
      case "phase-end":
        span.addEvent(`${event.phase} ${event.ok ? "done" : "failed"}`, { durationMs: event.durationMs });
        break;
      case "retry":
        span.addEvent("retry", { phase: event.phase, reason: event.reason });
        break;
      case "call":
        if (event.call.outcome !== "ok")
          span.addEvent("ec2 error", { action: event.call.action, code: event.call.outcome });
        break;
      case "done":
        span.setAttribute("eni.id", event.report.eniId);
        span.setAttribute("eni.apiCalls", event.report.apiCalls);
        span.setStatus(
          event.report.outcome === "moved" || event.report.outcome === "already-there"
            ? { code: 1 }
            : { code: 2, message: event.report.outcome },
        );
        span.end();
        break;
      default:
        break;
    }
  };
}
