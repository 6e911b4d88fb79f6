import type { Db } from "../lib/db.js";
import { ensureAgent, ensureGroup } from "../organizations/service.js";

/**
 * Groups and agents of a whole batch in a couple of queries. The steady state
 * is "all known, names unchanged": one read each. First sightings and renames
 * go through the organizations service, one at a time (they are rare).
 */
export interface KnownGroup {
  id: string;
  settings: unknown;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === "P2002";

/** Two batches meeting the same new group at once: the loser's upsert can hit the unique index; once more finds it. */
async function onceMore<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return fn();
  }
}

export async function resolveGroups(db: Db, organizationId: string, wanted: Map<string, string | undefined>): Promise<Map<string, KnownGroup>> {
  const rows = await db.answerGroup.findMany({
    where: { organizationId, key: { in: [...wanted.keys()] } },
    select: { id: true, key: true, name: true, settings: true },
  });
  const known = new Map(rows.map((r) => [r.key, { id: r.id, settings: r.settings }]));
  const stale = new Set(rows.filter((r) => wanted.get(r.key) && wanted.get(r.key) !== r.name).map((r) => r.key));
  for (const [key, name] of wanted) {
    if (known.has(key) && !stale.has(key)) continue;
    const g = await onceMore(() => ensureGroup(db, organizationId, key, name));
    known.set(key, { id: g.id, settings: g.settings });
  }
  return known;
}

export async function resolveAgents(db: Db, organizationId: string, wanted: Map<string, string | undefined>): Promise<Map<string, string>> {
  const rows = await db.agent.findMany({
    where: { organizationId, externalId: { in: [...wanted.keys()] } },
    select: { id: true, externalId: true, name: true },
  });
  const known = new Map(rows.map((r) => [r.externalId, r.id]));
  const stale = new Set(rows.filter((r) => wanted.get(r.externalId) && wanted.get(r.externalId) !== r.name).map((r) => r.externalId));
  for (const [externalId, name] of wanted) {
    if (known.has(externalId) && !stale.has(externalId)) continue;
    const a = await onceMore(() => ensureAgent(db, organizationId, externalId, name));
    known.set(externalId, a.id);
  }
  return known;
}
