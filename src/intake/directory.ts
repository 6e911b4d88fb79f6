import type { Db } from "../lib/db.js";
import { ensureAgent, ensureGroup } from "../organizations/service.js";

/**
 * Groups and agents of a batch. The steady state is "all known, names
 * unchanged", answered by the batch's facts query; first sightings and renames
 * go through the organizations service, one at a time (they are rare).
 */
export interface KnownGroup {
  id: string;
  name: string;
  settings: unknown;
  /** Merged into another group or renamed by an administrator: the telephony system's name is not written. */
  locked?: boolean;
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

/** A name from the telephony system wins over the stored one; no name keeps it. */
const needsWrite = (known: { name: string | null } | undefined, wanted: string | undefined) =>
  !known || (wanted !== undefined && wanted !== known.name);

export async function completeGroups(
  db: Db,
  organizationId: string,
  wanted: Map<string, string | undefined>,
  known: Map<string, KnownGroup>,
) {
  for (const [key, name] of wanted) {
    const k = known.get(key);
    if (k?.locked || !needsWrite(k, name)) continue;
    const g = await onceMore(() => ensureGroup(db, organizationId, key, name));
    known.set(key, { id: g.id, name: g.name, settings: g.settings });
  }
  return known;
}

export async function completeAgents(
  db: Db,
  organizationId: string,
  wanted: Map<string, string | undefined>,
  known: Map<string, { id: string; name: string | null }>,
) {
  for (const [externalId, name] of wanted) {
    if (!needsWrite(known.get(externalId), name)) continue;
    const a = await onceMore(() => ensureAgent(db, organizationId, externalId, name));
    known.set(externalId, { id: a.id, name: a.name });
  }
  return known;
}
