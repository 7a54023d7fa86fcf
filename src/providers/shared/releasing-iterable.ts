import type { StreamBatch } from "../../core/stream-event.ts";

/**
 * The stream handed to the dispatcher. `return()` frees the connection at once, even when the
 * generator has not started or is waiting on the upstream (where a generator's own `return()`
 * would not run its `finally` or would queue behind the pending read).
 */
export function releasingIterable(generator: AsyncGenerator<StreamBatch, void, undefined>, release: () => void): AsyncIterable<StreamBatch> {
  const iterator: AsyncIterator<StreamBatch> = {
    next: () => generator.next(),
    return: async () => {
      release();
      return generator.return(undefined);
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
