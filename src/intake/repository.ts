import type { Db } from "../lib/db.js";
import type { SkipReason } from "./sampling.js";

/**
 * Intake's SQL. The batch paths are raw SQL on purpose: each is one round trip
 * for a whole batch with a single JSON parameter. Prisma's createMany/findMany
 * with hundreds of parameters measured 4–6 times slower here (bench/intake.ts),
 * and one statement with data-modifying CTEs is atomic without an interactive
 * transaction.
 */

export interface StoredDecision {
  externalCallId: string;
  decision: "scheduled" | "skipped";
  reason: SkipReason | null;
  dueAt: Date | null;
}

export const SCHEDULED_EVENT = "scheduled";

export interface IntakeFacts {
  stored: Map<string, StoredDecision>;
  optedOut: Set<string>;
  /** Latest time a survey was scheduled for each number hash since `since`. */
  recent: Map<string, Date>;
}

interface FactRow {
  kind: "stored" | "opted_out" | "recent";
  key: string;
  decision: string | null;
  skipReason: string | null;
  dueAt: string | null;
  at: Date | null;
}

/** Decisions already stored for these call ids, opt-outs and recent surveys for these number hashes. */
export async function readIntakeFacts(db: Db, organizationId: string, externalCallIds: string[], hashes: string[], since: Date): Promise<IntakeFacts> {
  const rows = await db.$queryRawUnsafe<FactRow[]>(
    `WITH ids AS (SELECT jsonb_array_elements_text($2::jsonb) AS id),
          hashes AS (SELECT jsonb_array_elements_text($3::jsonb) AS h)
     SELECT 'stored' AS kind, c."externalCallId" AS key, c.decision, c."skipReason", ev.detail->>'dueAt' AS "dueAt", NULL::timestamptz AS at
       FROM "CompletedCall" c
       LEFT JOIN "SurveyCall" s ON s."completedCallId" = c.id
       LEFT JOIN LATERAL (SELECT e.detail FROM "SurveyEvent" e WHERE e."surveyId" = s.id AND e.type = '${SCHEDULED_EVENT}' ORDER BY e.at LIMIT 1) ev ON true
      WHERE c."organizationId" = $1::uuid AND c."externalCallId" IN (SELECT id FROM ids)
     UNION ALL
     SELECT 'opted_out', o."numberHash", NULL, NULL, NULL, NULL
       FROM "OptOut" o WHERE o."organizationId" = $1::uuid AND o."numberHash" IN (SELECT h FROM hashes)
     UNION ALL
     SELECT 'recent', c."callerHash", NULL, NULL, NULL, max(c."receivedAt")
       FROM "CompletedCall" c
      WHERE c."organizationId" = $1::uuid AND c."callerHash" IN (SELECT h FROM hashes) AND c.decision = 'scheduled' AND c."receivedAt" >= $4::timestamptz
      GROUP BY c."callerHash"`,
    organizationId,
    JSON.stringify(externalCallIds),
    JSON.stringify(hashes),
    since.toISOString(),
  );
  const facts: IntakeFacts = { stored: new Map(), optedOut: new Set(), recent: new Map() };
  for (const r of rows) {
    if (r.kind === "stored") {
      facts.stored.set(r.key, {
        externalCallId: r.key,
        decision: r.decision as StoredDecision["decision"],
        reason: (r.skipReason as SkipReason | null) ?? null,
        dueAt: r.dueAt ? new Date(r.dueAt) : null,
      });
    } else if (r.kind === "opted_out") facts.optedOut.add(r.key);
    else if (r.at) facts.recent.set(r.key, new Date(r.at));
  }
  return facts;
}

export interface DecisionRow {
  id: string;
  /** Set when a survey is scheduled. */
  surveyId: string | null;
  externalCallId: string;
  /** AES-GCM ciphertext, base64; only for scheduled calls. */
  enc: string | null;
  hash: string | null;
  agentId: string;
  groupId: string;
  queueSeconds: number;
  talkSeconds: number;
  startedAt: string;
  endedAt: string;
  language: string | null;
  decision: "scheduled" | "skipped";
  skipReason: string | null;
  dueAt: string | null;
  expiresAt: string | null;
  flowId: string;
}

/**
 * Stores completed calls, their surveys and each survey's first event in one
 * statement. ON CONFLICT DO NOTHING on (organization, externalCallId) lets a
 * concurrent resend lose quietly: only the calls actually inserted are returned,
 * and only they get a survey.
 */
export async function insertDecisions(db: Db, organizationId: string, rows: DecisionRow[], now: Date): Promise<{ calls: Set<string>; surveys: string[] }> {
  const result = await db.$queryRawUnsafe<{ kind: "call" | "survey"; id: string }[]>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
         id uuid, "surveyId" uuid, "externalCallId" text, enc text, hash text, "agentId" uuid, "groupId" uuid,
         "queueSeconds" int, "talkSeconds" int, "startedAt" timestamptz, "endedAt" timestamptz, language text,
         decision text, "skipReason" text, "dueAt" text, "expiresAt" text, "flowId" text)
     ),
     calls AS (
       INSERT INTO "CompletedCall" (id, "organizationId", "externalCallId", "callerNumberEnc", "callerHash", "agentId", "groupId",
                                    "queueSeconds", "talkSeconds", "startedAt", "endedAt", language, decision, "skipReason", "receivedAt")
       SELECT id, $2::uuid, "externalCallId", decode(enc, 'base64'), hash, "agentId", "groupId",
              "queueSeconds", "talkSeconds", "startedAt", "endedAt", language, decision, "skipReason", $3::timestamptz
         FROM input
       ON CONFLICT ("organizationId", "externalCallId") DO NOTHING
       RETURNING id
     ),
     surveys AS (
       INSERT INTO "SurveyCall" (id, "organizationId", "completedCallId", "groupId", "agentId", state, "nextAttemptAt", "expiresAt",
                                 "flowId", language, "createdAt", "updatedAt")
       SELECT i."surveyId", $2::uuid, i.id, i."groupId", i."agentId", 'scheduled', i."dueAt"::timestamptz, i."expiresAt"::timestamptz,
              i."flowId", i.language, $3::timestamptz, $3::timestamptz
         FROM input i JOIN calls c ON c.id = i.id
        WHERE i."surveyId" IS NOT NULL
       RETURNING id
     ),
     events AS (
       INSERT INTO "SurveyEvent" ("surveyId", at, type, "toState", detail)
       SELECT i."surveyId", $3::timestamptz, '${SCHEDULED_EVENT}', 'scheduled', jsonb_build_object('dueAt', i."dueAt", 'expiresAt', i."expiresAt")
         FROM input i JOIN surveys s ON s.id = i."surveyId"
     )
     SELECT 'call' AS kind, id::text AS id FROM calls
     UNION ALL
     SELECT 'survey', id::text FROM surveys`,
    JSON.stringify(rows),
    organizationId,
    now.toISOString(),
  );
  return {
    calls: new Set(result.filter((r) => r.kind === "call").map((r) => r.id)),
    surveys: result.filter((r) => r.kind === "survey").map((r) => r.id),
  };
}

export function dueFromEvents(events: { detail: unknown }[] | undefined): Date | null {
  const due = (events?.[0]?.detail as { dueAt?: string } | null | undefined)?.dueAt;
  return due ? new Date(due) : null;
}

export async function findCallStatus(db: Db, organizationId: string, externalCallId: string) {
  return db.completedCall.findUnique({
    where: { organizationId_externalCallId: { organizationId, externalCallId } },
    select: {
      externalCallId: true,
      decision: true,
      skipReason: true,
      survey: {
        select: {
          state: true,
          attempts: true,
          answers: { orderBy: { answeredAt: "asc" }, select: { questionKey: true, score: true, answeredAt: true } },
          voiceMessage: { select: { durationSeconds: true, state: true } },
          events: { where: { type: SCHEDULED_EVENT }, orderBy: { at: "asc" }, take: 1, select: { detail: true } },
        },
      },
    },
  });
}
