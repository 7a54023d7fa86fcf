/** One model a request may be sent to. */
export interface Target {
  /** Configured model id (`models.<id>`), or `<provider>/<upstream>` for direct calls. */
  modelId: string;
  /** Configured provider name. */
  provider: string;
  /** The model id sent upstream. */
  upstreamModel: string;
}

/** What the router decided for a request: where it may go, in order, and why. */
export interface Plan {
  route: string | null;
  lane: string | null;
  alias: string | null;
  /** The fallback chain, first choice first. Never empty. */
  targets: Target[];
  /** How the model field was read, for receipts and `explain`. */
  resolvedBy: "auto" | "route" | "alias" | "model" | "provider_model";
  /** For `auto`: the rule that fired (its index in `auto.rules`) and the signals it saw. */
  auto?: { rule: number; taskType: string | null; complexity: string | null };
}
