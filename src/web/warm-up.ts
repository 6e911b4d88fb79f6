import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/middleware.js";
import { loadAgentView } from "./data/agent.js";
import { loadOverview } from "./data/overview.js";

/**
 * Runs the overview's and one agent page's queries once, right after start-up,
 * so the first person to open a page does not pay the process's one-off costs
 * (query compilation, the database's catalog caches, JIT). On the embedded
 * database that first render took 191-439 ms, later ones 60-175 ms
 * (bench/RESULTS.md). Nothing is kept but what any render fills: the cache of
 * finished weeks' trend points.
 */
export async function warmUpPages(ctx: AppContext, organizationId: string): Promise<void> {
  const manager: SessionUser = {
    id: "warm-up",
    organizationId,
    email: "warm-up@invalid",
    name: "warm-up",
    role: "manager",
    agentId: null,
  };
  await loadOverview(ctx, manager, { key: "week" });
  const agent = await ctx.prisma.agent.findFirst({ where: { organizationId }, select: { id: true } });
  if (agent) await loadAgentView(ctx, { ...manager, role: "agent", agentId: agent.id }, { key: "today" });
}
