import type { Cacheable } from "./map-anthropic-messages.ts";

/**
 * The Messages API rejects a request with more `cache_control` breakpoints than this.
 * https://docs.claude.com/en/docs/build-with-claude/prompt-caching#cache-limitations
 */
export const MAX_CACHE_BREAKPOINTS = 4;

/** A block of the mapped body, and where it sits there (`tools[0]`, `messages[2].content[1]`). */
export interface PlacedBlock {
  block: Cacheable;
  at: string;
}

/**
 * Keeps the last `MAX_CACHE_BREAKPOINTS` breakpoints of the blocks, given in prompt order (tools,
 * then system, then messages), and takes the earlier ones off: a later breakpoint covers a longer
 * prefix, so it is the one that saves the most. The blocks are the ones the mapping has just
 * built, so they are changed in place. Returns the warning to report, or null when all fit.
 */
export function limitCacheBreakpoints(blocks: readonly PlacedBlock[]): string | null {
  const marked = blocks.filter(({ block }) => block.cache_control !== undefined);
  const excess = marked.length - MAX_CACHE_BREAKPOINTS;
  if (excess <= 0) return null;
  const dropped = marked.slice(0, excess);
  for (const { block } of dropped) delete block.cache_control;
  const which = dropped.map(({ at }) => at).join(", ");
  return `Anthropic takes at most ${MAX_CACHE_BREAKPOINTS} cache_control breakpoints and the request has ${marked.length}: the last ${MAX_CACHE_BREAKPOINTS} were kept, the first ${excess} not sent (${which} of the upstream body)`;
}
