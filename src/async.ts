/** Sleeps; resolves `false` at once if the signal fires. */
export function sleep(ms: number, abortSignal: AbortSignal | undefined): Promise<boolean> {
  if (abortSignal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
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
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
