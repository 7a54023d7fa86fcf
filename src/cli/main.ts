import { Command, InvalidArgumentError, Option } from "commander";
import { runCheckCommand } from "./check-command.ts";
import { runExplainCommand, type ExplainCommandOptions } from "./explain-command.ts";
import { registerKeysCommand } from "./keys-command.ts";
import { runModelsCommand } from "./models-command.ts";
import { runPricesCommand } from "./prices-command.ts";
import { runReceiptsCommand } from "./receipts-command.ts";
import { runReportCommand, type ReportCommandOptions } from "./report-command.ts";
import { runSpendCommand } from "./spend-command.ts";
import { runStartCommand } from "./start-command.ts";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("a port is a whole number from 0 to 65535");
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

const program = new Command()
  .name("switchyard")
  .description("An OpenAI-compatible LLM gateway: routing, fallback, budgets, rollouts and a receipt for every call.")
  .showHelpAfterError();

program
  .command("start")
  .description("start the gateway (simulated providers when no config and no provider key is given)")
  .option("-c, --config <file>", "config file (YAML or JSON)")
  .option("-p, --port <port>", "port to listen on (overrides server.port)", port)
  .option("--host <host>", "address to listen on (overrides server.host)")
  .action((opts: { config?: string; port?: number; host?: string }) => runStartCommand(opts));

program
  .command("check")
  .description("validate a config; with --online also ask each provider whether it serves the configured model ids")
  .requiredOption("-c, --config <file>", "config file (YAML or JSON)")
  .option("--online", "verify model ids against the providers' model lists")
  .action(async (opts: { config: string; online?: boolean }) => {
    process.exitCode = await runCheckCommand(opts);
  });

program
  .command("receipts")
  .description("show recent receipts from the ledger")
  .option("-n, --last <n>", "how many, newest first", positive, 20)
  .option("--task <id>", "only the receipts of one task id")
  .option("--id <request-id>", "one receipt, in full")
  .option("--json", "print JSON instead of a table")
  .option("-c, --config <file>", "config file (for storage.ledger)")
  .action(async (opts: { last: number; task?: string; id?: string; json?: boolean; config?: string }) => {
    process.exitCode = await runReceiptsCommand(opts);
  });

program
  .command("models")
  .description("list the names the `model` field accepts (routes, aliases, models)")
  .option("-c, --config <file>", "config file (YAML or JSON)")
  .option("--json", "print JSON")
  .action((opts: { config?: string; json?: boolean }) => {
    process.exitCode = runModelsCommand(opts);
  });

program
  .command("prices")
  .description("list the price and context window in force for every configured model, and where each came from")
  .option("-c, --config <file>", "config file (YAML or JSON)")
  .option("--json", "print JSON")
  .action((opts: { config?: string; json?: boolean }) => {
    process.exitCode = runPricesCommand(opts);
  });

program
  .command("explain")
  .description("show how a request would be routed (classification, auto rule, route, chain) without starting a server or calling a model")
  .option("-c, --config <file>", "config file (YAML or JSON)")
  .option("-m, --model <name>", "the model field (default: the body's, else auto)")
  .option("-f, --file <body.json>", "a Chat Completions request body")
  .option("--prompt <text>", "a user message (else --file, else stdin: a JSON body or the prompt's text)")
  .option("--task-type <type>", "as the x-switchyard-task-type header")
  .addOption(new Option("--complexity <level>", "as the x-switchyard-complexity header").choices(["low", "medium", "high"]))
  .option("--json", "print JSON (the same as POST /admin/explain)")
  .action(async (opts: ExplainCommandOptions) => {
    process.exitCode = await runExplainCommand(opts);
  });

program
  .command("report")
  .description("per route, model, provider, key or arm: requests, errors, retries, task outcomes, cost per completed task, latency (from the ledger)")
  .option("--since <when>", "start: a duration back from now (30m, 24h, 7d) or an ISO date", "7d")
  .option("--until <when>", "end (exclusive): a duration back from now or an ISO date (default: now)")
  .addOption(new Option("--by <group>", "what to group by").choices(["route", "model", "provider", "key", "arm"]).default("route"))
  .option("--json", "print JSON (the same as GET /admin/report)")
  .option("-c, --config <file>", "config file (for storage.ledger)")
  .action(async (opts: ReportCommandOptions) => {
    process.exitCode = await runReportCommand(opts);
  });

program
  .command("spend")
  .description("today's and this month's spend (USD and tokens) of the gateway, each route and each key, against their budgets (from the ledger)")
  .option("-c, --config <file>", "config file (budgets, storage.ledger)")
  .option("--json", "print JSON")
  .action(async (opts: { config?: string; json?: boolean }) => {
    process.exitCode = await runSpendCommand(opts);
  });

registerKeysCommand(program);

await program.parseAsync(process.argv);
