import { z } from "zod";
import { sqlRows, type Db } from "../lib/db.js";
import type { SkipReason } from "./sampling.js";

// Row schemas built once: zod compiles each schema on its first parse (about 0.1 ms of CPU), so one
// built inside a function cost that on every call.
const insertedRow = z.strictObject({ kind: z.enum(["call", "survey"]), id: z.string() });

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

/**
 * The one place a survey's final state erases the caller's encrypted number
 * (only its keyed hash stays): a CTE for the statement that moves the survey,
 * erasing the CompletedCall of every row the CTE `source` returned (it must
 * return "completedCallId", or "surveyId" with `by: "surveyId"`). Used by
 * survey/state.ts `transition`, by the keypress statement (survey/repository.ts
 * `moveByTokenSql`) and by the SMS fallback (sms/repository.ts: kept while an
 * SMS is due, `unlessRowsIn` the CTE that scheduled it; erased once it is sent
 * or given up).
 */
export function erasedNumberCte(
  source: string,
  opts: { by?: "completedCallId" | "surveyId"; unlessRowsIn?: string } = {},
): string {
  for (const name of [source, opts.unlessRowsIn ?? "x"])
    if (!/^\w+$/.test(name)) throw new Error(`erasedNumberCte: not a CTE name: ${name}`);
  const ids =
    opts.by === "surveyId"
      ? `SELECT s."completedCallId" FROM "SurveyCall" s JOIN ${source} src ON s.id = src."surveyId"`
      : `SELECT "completedCallId" FROM ${source}`;
  const unless = opts.unlessRowsIn ? ` AND NOT EXISTS (SELECT 1 FROM ${opts.unlessRowsIn})` : "";
  return `erased AS (UPDATE "CompletedCall" SET "callerNumberEnc" = NULL WHERE id IN (${ids})${unless})`;
}

export interface IntakeFacts {
  organization: { timeZone: string; settings: unknown } | null;
  groups: Map<string, { id: string; name: string; settings: unknown; locked: boolean }>;
  agents: Map<string, { id: string; name: string | null }>;
  stored: Map<string, StoredDecision>;
  optedOut: Set<string>;
  /** Latest time a survey was scheduled for each number hash since `since`. */
  recent: Map<string, Date>;
}

export interface FactsQuery {
  externalCallIds: string[];
  hashes: string[];
  groupKeys: string[];
  agentIds: string[];
  since: Date;
}

const factRow = z.strictObject({
  kind: z.enum(["org", "group", "agent", "stored", "opted_out", "recent"]),
  key: z.string().nullable(),
  a: z.string().nullable(),
  b: z.string().nullable(),
  c: z.string().nullable(),
  j: z.unknown(),
  at: z.date().nullable(),
});

/**
 * Everything a batch decision needs, in one query: the organization's
 * settings, the batch's groups and agents, decisions already stored for its
 * call ids, and opt-outs and recent surveys for its number hashes.
 */
export async function readIntakeFacts(db: Db, organizationId: string, q: FactsQuery): Promise<IntakeFacts> {
  // Each part is driven by the batch's own list: one LATERAL index probe per key
  // (LIMIT 1 keeps the planner from flattening it into a join), so the plan does
  // not depend on table statistics. With plain joins, a young fast-growing table
  // made it scan every call of the organization: 100 ms per batch.
  const rows = await sqlRows(
    db,
    factRow,
    `SELECT 'org' AS kind, NULL AS key, o."timeZone" AS a, NULL AS b, NULL AS c, o.settings AS j, NULL::timestamptz AS at
       FROM "Organization" o WHERE o.id = $1::uuid
     UNION ALL
     SELECT 'group', g.key, g.id::text, g.name, g.locked, g.settings, NULL
       FROM jsonb_array_elements_text($5::jsonb) AS k(v)
       -- A merged group is an alias: its key lands in the group it was merged into.
       CROSS JOIN LATERAL (
         SELECT a.key, coalesce(t.id, a.id) AS id, coalesce(t.name, a.name) AS name, coalesce(t.settings, a.settings) AS settings,
                (a."mergedIntoId" IS NOT NULL OR a."renamedAt" IS NOT NULL)::text AS locked
           FROM "AnswerGroup" a LEFT JOIN "AnswerGroup" t ON t.id = a."mergedIntoId"
          WHERE a."organizationId" = $1::uuid AND a.key = k.v LIMIT 1
       ) g
     UNION ALL
     SELECT 'agent', ag."externalId", ag.id::text, ag.name, NULL, NULL, NULL
       FROM jsonb_array_elements_text($6::jsonb) AS k(v)
       CROSS JOIN LATERAL (SELECT * FROM "Agent" ag WHERE ag."organizationId" = $1::uuid AND ag."externalId" = k.v LIMIT 1) ag
     UNION ALL
     SELECT 'stored', c."externalCallId", c.decision, c."skipReason", ev.detail->>'dueAt', NULL, NULL
       FROM jsonb_array_elements_text($2::jsonb) AS k(v)
       CROSS JOIN LATERAL (
         SELECT c.id, c."externalCallId", c.decision, c."skipReason" FROM "CompletedCall" c
          WHERE c."organizationId" = $1::uuid AND c."externalCallId" = k.v LIMIT 1
       ) c
       LEFT JOIN "SurveyCall" s ON s."completedCallId" = c.id
       LEFT JOIN LATERAL (SELECT e.detail FROM "SurveyEvent" e WHERE e."surveyId" = s.id AND e.type = '${SCHEDULED_EVENT}' ORDER BY e.at LIMIT 1) ev ON true
     UNION ALL
     SELECT 'opted_out', o."numberHash", NULL, NULL, NULL, NULL, NULL
       FROM jsonb_array_elements_text($3::jsonb) AS k(v)
       CROSS JOIN LATERAL (SELECT o."numberHash" FROM "OptOut" o WHERE o."organizationId" = $1::uuid AND o."numberHash" = k.v LIMIT 1) o
     UNION ALL
     SELECT 'recent', k.v, NULL, NULL, NULL, NULL, r.at
       FROM jsonb_array_elements_text($3::jsonb) AS k(v)
       CROSS JOIN LATERAL (
         -- GROUP BY, not a bare max(): without statistics the planner answered a bare
         -- max() by walking the receivedAt index backwards, i.e. every call of the
         -- organization for a number it has never seen.
         SELECT max(c."receivedAt") AS at FROM "CompletedCall" c
          WHERE c."organizationId" = $1::uuid AND c."callerHash" = k.v AND c."receivedAt" >= $4::timestamptz AND c.decision = 'scheduled'
          GROUP BY c."callerHash"
       ) r`,
    [
      organizationId,
      JSON.stringify(q.externalCallIds),
      JSON.stringify(q.hashes),
      q.since.toISOString(),
      JSON.stringify(q.groupKeys),
      JSON.stringify(q.agentIds),
    ],
  );
  const facts: IntakeFacts = {
    organization: null,
    groups: new Map(),
    agents: new Map(),
    stored: new Map(),
    optedOut: new Set(),
    recent: new Map(),
  };
  for (const r of rows) {
    switch (r.kind) {
      case "org":
        facts.organization = { timeZone: r.a!, settings: parseJson(r.j) };
        break;
      case "group":
        facts.groups.set(r.key!, { id: r.a!, name: r.b!, settings: parseJson(r.j), locked: r.c === "true" });
        break;
      case "agent":
        facts.agents.set(r.key!, { id: r.a!, name: r.b });
        break;
      case "stored":
        facts.stored.set(r.key!, {
          externalCallId: r.key!,
          decision: r.a as StoredDecision["decision"],
          reason: (r.b as SkipReason | null) ?? null,
          dueAt: r.c ? new Date(r.c) : null,
        });
        break;
      case "opted_out":
        facts.optedOut.add(r.key!);
        break;
      case "recent":
        if (r.at) facts.recent.set(r.key!, new Date(r.at));
    }
  }
  return facts;
}

const parseJson = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);

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
export async function insertDecisions(
  db: Db,
  organizationId: string,
  rows: DecisionRow[],
  now: Date,
): Promise<{ calls: Set<string>; surveys: string[] }> {
  const result = await sqlRows(
    db,
    insertedRow,
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
    [JSON.stringify(rows), organizationId, now.toISOString()],
    { prepare: true },
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

/** A svarsgrupp merge (organizations/groups.ts): the calls reported on one group now count for another. */
export function moveCallsToGroup(tx: Db, organizationId: string, fromGroupId: string, toGroupId: string) {
  return tx.completedCall.updateMany({
    where: { organizationId, groupId: fromGroupId },
    data: { groupId: toGroupId },
  });
}
