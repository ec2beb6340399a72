/** Sleeps; resolves `false` at once if the signal fires. */
export function sleep(ms: number, abortSignal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (abortSignal?.aborted === true) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    abortSignal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `run` over `items`, at most `limit` at a time, keeping results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  // One iterator shared by all workers: each takes the next item when it is free.
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    for (const [index, item] of queue) results[index] = await run(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
