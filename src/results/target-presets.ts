import type { Db } from "../lib/db.js";
import { PRESET_TARGETS } from "./target-input.js";

/**
 * Presets the targets of the source documents (bemötande ≥ 4,3, kunskap ≥ 4,0,
 * 75–80 % satisfied) for an organization that has none yet. Called only when
 * an organization is created, so targets an administrator deleted never come back.
 */
export async function presetTargets(db: Db, organizationId: string, validFrom: string): Promise<number> {
  if ((await db.target.count({ where: { organizationId } })) > 0) return 0;
  const r = await db.target.createMany({
    data: PRESET_TARGETS.map((t) => ({ organizationId, ...t, validFrom: new Date(`${validFrom}T00:00:00Z`) })),
    skipDuplicates: true,
  });
  return r.count;
}
