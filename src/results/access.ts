import type { SessionUser } from "../auth/middleware.js";
import type { Db } from "../lib/db.js";
import { AppError } from "../lib/errors.js";

/**
 * Who is asking. The organization always comes from the viewer, never from the
 * request, so nobody reads another organization's rows. `system` is for jobs
 * and server-side code acting on behalf of the service (never from a request).
 */
export type Viewer =
  | { kind: "apiKey"; organizationId: string }
  | { kind: "user"; user: SessionUser }
  | { kind: "system"; organizationId: string };

export const viewerOrganization = (v: Viewer): string => (v.kind === "user" ? v.user.organizationId : v.organizationId);

export function assertSameOrganization(v: Viewer, organizationId: string): void {
  if (viewerOrganization(v) !== organizationId) throw new AppError("forbidden", "Results of another organization");
}

export function requireManager(v: Viewer): void {
  if (v.kind === "user" && v.user.role === "agent") throw new AppError("forbidden", "Only managers and administrators");
}

/**
 * An agent account sees its own individual results and group/organization
 * aggregates, never another agent's individual rows. Enforced here (the
 * service), so every caller — API, pages, live stream — gets the same rule.
 */
export function assertAgentScope(v: Viewer, q: { agentId?: string; byAgent: boolean }): void {
  if (v.kind !== "user" || v.user.role !== "agent") return;
  const own = v.user.agentId;
  if (q.agentId !== undefined && q.agentId !== own)
    throw new AppError("forbidden", "Agents may only see their own individual results");
  if (q.byAgent && q.agentId === undefined)
    throw new AppError("forbidden", "Agents may only see their own individual results; filter by your own agent");
}

export async function resolveGroup(db: Db, organizationId: string, key: string) {
  const group = await db.answerGroup.findFirst({
    where: { organizationId, key },
    select: { id: true, key: true, name: true },
  });
  if (!group)
    throw new AppError("not_found", `No svarsgrupp "${key}" in this organization`, [
      { field: "group", message: "unknown group" },
    ]);
  return group;
}
