import type { Db } from "../lib/db.js";

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

/**
 * Adds one stored answer to the per-day rollup. Must run in the same
 * transaction as the Answer insert, so the rollup never disagrees with the
 * raw answers (src/results reads the rollup for speed).
 */
export async function addAnswerToRollup(
  db: Db,
  a: { organizationId: string; groupId: string; agentId: string; questionKey: string; score: number; answeredAt: Date; timeZone: string },
): Promise<void> {
  const day = localDay(a.answeredAt, a.timeZone);
  const s = a.score;
  await db.$executeRaw`
    INSERT INTO "AnswerDaily" ("organizationId", "day", "groupId", "agentId", "questionKey", n, sum, "sumSq", c1, c2, c3, c4, c5)
    VALUES (${a.organizationId}::uuid, ${day}::date, ${a.groupId}::uuid, ${a.agentId}::uuid, ${a.questionKey}, 1, ${s}, ${s * s},
            ${s === 1 ? 1 : 0}, ${s === 2 ? 1 : 0}, ${s === 3 ? 1 : 0}, ${s === 4 ? 1 : 0}, ${s === 5 ? 1 : 0})
    ON CONFLICT ("organizationId", "day", "groupId", "agentId", "questionKey") DO UPDATE SET
      n = "AnswerDaily".n + 1, sum = "AnswerDaily".sum + EXCLUDED.sum, "sumSq" = "AnswerDaily"."sumSq" + EXCLUDED."sumSq",
      c1 = "AnswerDaily".c1 + EXCLUDED.c1, c2 = "AnswerDaily".c2 + EXCLUDED.c2, c3 = "AnswerDaily".c3 + EXCLUDED.c3,
      c4 = "AnswerDaily".c4 + EXCLUDED.c4, c5 = "AnswerDaily".c5 + EXCLUDED.c5`;
}
