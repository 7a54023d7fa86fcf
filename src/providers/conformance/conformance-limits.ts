/** Time limits of the conformance suite, written down as data. */
export const CONFORMANCE_LIMITS = {
  /** One call, or one read from a stream, against a fake or simulated upstream. */
  stepMs: 5_000,
  /** Handed to the adapter as `timeoutMs` and `idleTimeoutMs`: below `stepMs`, so adapters time out first. */
  callTimeoutMs: 4_000,
  /** An aborted call or stream must have ended, and its socket closed, within this. */
  abortMs: 1_000,
  /** A whole capability test; a hang fails instead of blocking the run. */
  testMs: 30_000,
} as const;
