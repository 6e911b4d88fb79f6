import type { Db } from "../lib/db.js";
import type { TargetMetric } from "./targets.js";

/** Target rows (owned by results, which judges them); the admin pages change them through these. */
export async function saveTarget(
  db: Db,
  t: {
    organizationId: string;
    questionKey: string;
    metric: TargetMetric;
    threshold: number;
    /** The band's upper bound; null for a one-sided target. */
    upper: number | null;
    validFrom: Date;
  },
) {
  const key = {
    organizationId: t.organizationId,
    questionKey: t.questionKey,
    metric: t.metric,
    validFrom: t.validFrom,
  };
  return db.target.upsert({
    where: { organizationId_questionKey_metric_validFrom: key },
    update: { threshold: t.threshold, upper: t.upper },
    create: { ...key, threshold: t.threshold, upper: t.upper },
  });
}

export async function findTarget(db: Db, organizationId: string, id: string) {
  return db.target.findFirst({ where: { id, organizationId } });
}

export async function deleteTarget(db: Db, id: string): Promise<void> {
  await db.target.delete({ where: { id } });
}
