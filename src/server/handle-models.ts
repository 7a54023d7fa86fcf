import { deploymentsOf } from "../config/deployments.ts";
import type { Config } from "../config/schema.ts";

export interface OpenAIModelObject {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  /** What the name is on this gateway: a route, alias, model or `auto`. */
  switchyard: { kind: "auto" | "route" | "alias" | "model"; provider?: string; upstream?: string; simulated: boolean; targets?: string; deployments?: string[] };
}

/**
 * GET /v1/models: every name the `model` field accepts, as OpenAI model objects. Built once
 * per config (the list does not change between requests).
 */
export function buildModelList(config: Config, created: number): { object: "list"; data: OpenAIModelObject[] } {
  const isSim = (provider: string): boolean => config.providers[provider]?.type === "simulated";
  const data: OpenAIModelObject[] = [];
  const places = Object.entries(config.models).map(([id, m]) => deploymentsOf(id, m));
  const allSimulated = places.length > 0 && places.every((ds) => ds.every((d) => isSim(d.provider)));
  if ((config.auto?.rules.length ?? 0) > 0) {
    data.push({ id: "auto", object: "model", created, owned_by: "switchyard", switchyard: { kind: "auto", simulated: allSimulated } });
  }
  for (const [name, route] of Object.entries(config.routes)) {
    const targets = route.lane !== undefined ? `lane ${route.lane}` : `model ${route.model ?? ""}`;
    data.push({ id: name, object: "model", created, owned_by: "switchyard", switchyard: { kind: "route", simulated: allSimulated, targets } });
  }
  for (const [name, target] of Object.entries(config.aliases)) {
    data.push({ id: name, object: "model", created, owned_by: "switchyard", switchyard: { kind: "alias", simulated: allSimulated, targets: target } });
  }
  for (const [id, model] of Object.entries(config.models)) {
    const deployments = deploymentsOf(id, model);
    const first = deployments[0] ?? { provider: "", upstream: id };
    const simulated = deployments.every((d) => isSim(d.provider));
    data.push({
      id,
      object: "model",
      created,
      owned_by: simulated ? "simulated" : first.provider,
      switchyard: {
        kind: "model",
        provider: first.provider,
        upstream: first.upstream,
        simulated,
        ...(deployments.length > 1 && { deployments: deployments.map((d) => `${d.provider}/${d.upstream}`) }),
      },
    });
  }
  return { object: "list", data };
}
