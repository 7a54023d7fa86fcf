/** Texts of different kinds, shared by the estimate tests (named .test.ts to stay out of the build; it holds no tests). */
export const SAMPLE_TEXTS: Readonly<Record<string, string>> = {
  "english prose": `The gateway sits between your application and the model providers. Every request passes through it: the gateway picks a model for the task, retries when a provider stumbles, falls back to another provider when one is down, and writes a receipt that says what the call cost and how long it took. Teams use it to keep spending under control without changing the code that calls the models. A budget that runs out does not break the feature; it moves traffic to a cheaper model and tells you that it did. When a new model arrives, a rollout sends a small share of the traffic to it, compares the outcomes with the old model, and rolls itself back when the new one does worse.`,
  "markdown doc": `## Budgets

Budgets are set per day and per month, in US dollars or in tokens, for the whole gateway, a route or a key.

| setting | meaning |
| --- | --- |
| \`daily_usd\` | spend per calendar day (UTC) |
| \`per_request_tokens\` | the most one request may use, prompt and answer together |

When a budget is exceeded, \`on_exceeded: downgrade\` moves the request to the next cheaper lane; \`reject\` answers **429** with a message that names the budget. See [receipts](./receipts.md) for how spend is counted.
`,
  "typescript code": `export function backoffDelay(attempt: number, options: { baseMs: number; maxMs: number }, random: () => number): number {
  // Full jitter: a uniform draw between 0 and the exponential ceiling keeps retries from
  // synchronising when many clients fail at once.
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;

  constructor(private readonly threshold: number, private readonly cooldownMs: number) {}

  allow(now: number): boolean {
    if (this.openedAt === null) return true;
    if (now - this.openedAt >= this.cooldownMs) {
      this.openedAt = null;
      this.failures = 0;
      return true;
    }
    return false;
  }
}
`,
  "python code": `import json
from dataclasses import dataclass


@dataclass
class Usage:
    input_tokens: int
    output_tokens: int

    def cost(self, price_in: float, price_out: float) -> float:
        """Cost in USD, prices given per million tokens."""
        return (self.input_tokens * price_in + self.output_tokens * price_out) / 1_000_000


def load_usage(path: str) -> list[Usage]:
    with open(path, encoding="utf-8") as f:
        return [Usage(**row["usage"]) for row in map(json.loads, f) if "usage" in row]
`,
  "json": JSON.stringify(
    {
      id: "chatcmpl-9x8y7z",
      object: "chat.completion",
      created: 1767225600,
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_Ab12Cd34", type: "function", function: { name: "lookup_order", arguments: '{"order_id":"A-20931","include_items":true}' } }] }, finish_reason: "tool_calls" }],
      usage: { prompt_tokens: 412, completion_tokens: 27, total_tokens: 439, prompt_tokens_details: { cached_tokens: 256 } },
    },
    null,
    2,
  ),
  "chinese": "网关位于应用程序和模型提供商之间。每个请求都会经过它：网关为任务选择合适的模型，在提供商出错时重试，在某个提供商不可用时切换到另一个提供商，并写下一张收据，记录这次调用花了多少钱、用了多长时间。团队用它来控制开支，而不必修改调用模型的代码。预算用完时，功能不会中断，而是把流量转到更便宜的模型上，并告诉你它这样做了。",
  "japanese": "ゲートウェイはアプリケーションとモデル提供者の間に置かれます。すべてのリクエストはここを通り、タスクに合ったモデルを選び、提供者が失敗したときは再試行し、停止しているときは別の提供者に切り替え、呼び出しの費用と所要時間を記した領収書を残します。予算を使い切っても機能は止まらず、より安いモデルに切り替えたことを知らせます。",
  "russian": "Шлюз стоит между приложением и поставщиками моделей. Каждый запрос проходит через него: шлюз выбирает модель для задачи, повторяет попытку, когда поставщик ошибается, переключается на другого поставщика, когда первый недоступен, и записывает квитанцию о том, сколько стоил вызов и сколько он длился. Когда бюджет исчерпан, функция не ломается: запросы уходят на более дешёвую модель.",
  "german": "Das Gateway sitzt zwischen der Anwendung und den Modellanbietern. Jede Anfrage läuft hindurch: Es wählt ein Modell für die Aufgabe, wiederholt den Aufruf, wenn ein Anbieter stolpert, weicht auf einen anderen Anbieter aus, wenn einer ausfällt, und schreibt eine Quittung darüber, was der Aufruf gekostet und wie lange er gedauert hat. Ist das Budget erschöpft, bricht die Funktion nicht ab, sondern wechselt zu einem günstigeren Modell.",
  "arabic": "تقع البوابة بين التطبيق ومزودي النماذج. يمر كل طلب عبرها: تختار البوابة نموذجا مناسبا للمهمة، وتعيد المحاولة عندما يتعثر المزود، وتنتقل إلى مزود آخر عندما يتوقف أحدهم، وتكتب إيصالا يبين تكلفة الاستدعاء ومدته. وعندما تنفد الميزانية لا تتوقف الميزة، بل تنتقل الطلبات إلى نموذج أرخص.",
  "chat with emoji": "hey!! 👋 can you fix the build? 🙏 it fails on main since 10:42 — `npm test` says: TypeError: Cannot read properties of undefined (reading 'map') at src/router/pick.ts:88:17 😭😭",
};
