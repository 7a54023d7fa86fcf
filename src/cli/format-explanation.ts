import type { AutoRule, Explanation } from "../dispatch/explain-request.ts";

const MAX_FEATURES = 12;

/** `switchyard explain`'s readable block: the decision first, then why, then the chain. */
export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${label.padEnd(12)}${value}`);
  };
  row("model", `${e.requestedModel} (resolved as ${e.resolvedBy.replace("_", " ")})`);
  const c = e.classification;
  if (e.signals) {
    const typeScore = c && e.signals.taskType === "classifier" ? ` (classifier, score ${c.scores[c.taskType]}; ${runnerUp(c.scores, c.taskType)})` : ` (${e.signals.taskType})`;
    row("task type", `${e.taskType ?? "-"}${typeScore}`);
    const complexityScore = c && e.signals.complexity === "classifier" ? ` (classifier, score ${c.complexityScore})` : ` (${e.signals.complexity})`;
    row("complexity", `${e.complexity ?? "-"}${complexityScore}`);
  }
  if (c) {
    const features = c.topFeatures;
    const shown = features.slice(0, MAX_FEATURES).map((f) => (f.value === true ? f.name : `${f.name}=${String(f.value)}`));
    const more = features.length > MAX_FEATURES ? ` (+${features.length - MAX_FEATURES} more; --json shows all)` : "";
    row("features", shown.length > 0 ? `${shown.join(", ")}${more}` : "none");
    c.reasons.forEach((reason, i) => row(i === 0 ? "why" : "", reason));
  }
  if (e.rule) row("rule", `auto.rules[${e.rule.index}]: ${formatRule(e.rule.rule)}`);
  const where = [e.route !== null && `route ${e.route}`, e.lane !== null && `lane ${e.lane}`, e.alias !== null && `alias ${e.alias}`].filter(Boolean).join(", ");
  if (where !== "") row("goes to", where);
  e.chain.forEach((step, i) => {
    const notes = [
      step.breaker ? `breaker ${step.breaker.status.replace("_", "-")}${step.breaker.probeAt ? ` until ${step.breaker.probeAt}` : ""}` : "breakers off",
      !step.available && "skipped now",
      step.balance && `${step.balance.strategy} weight ${step.balance.weight}`,
      step.simulated && "simulated",
      step.demoted !== null && `demoted: ${step.demoted}`,
    ].filter(Boolean);
    row(i === 0 ? "chain" : "", `${step.position}. ${step.model} (${step.deployment})  ${notes.join(", ")}`);
  });
  e.warnings.forEach((w, i) => row(i === 0 ? "warnings" : "", w));
  return lines.join("\n");
}

function runnerUp(scores: Record<string, number>, best: string): string {
  let name: string | null = null;
  for (const [k, v] of Object.entries(scores)) if (k !== best && (name === null || v > (scores[name] ?? -Infinity))) name = k;
  return name === null ? "no runner-up" : `runner-up ${name} ${String(scores[name])}`;
}

function formatRule(rule: AutoRule): string {
  const when = rule.when ? Object.entries(rule.when).map(([k, v]) => `${k}: ${String(v)}`).join(", ") : "";
  const to = rule.route !== undefined ? `route: ${rule.route}` : rule.lane !== undefined ? `lane: ${rule.lane}` : `model: ${rule.model ?? ""}`;
  return when === "" ? `{ ${to} } (default)` : `{ when: { ${when} }, ${to} }`;
}
