import { z } from "zod";
import type { AppContext } from "../context.js";
import { parseOrThrow } from "../lib/errors.js";
import { sqlQuery } from "../lib/db.js";
import { getOrganization } from "../organizations/service.js";
import { parseIsoWeek, weekRange } from "../review/rules.js";
import { assertManager, type Actor } from "./access.js";
import { queryWords, splitHighlight, START_SEL, STOP_SEL, wordVariants, type HighlightPart } from "./search-rules.js";

export const PAGE_SIZE = 25;

export const searchQuerySchema = z.object({
  q: z.string().trim().min(1).max(200),
  week: z
    .string()
    .refine((s) => parseIsoWeek(s) !== null, "expected an ISO week such as 2025-W14")
    .optional(),
  groupId: z.string().uuid().optional(),
  agentId: z.string().uuid().optional(),
  category: z.enum(["klagomal", "berom", "forslag", "fraga", "inget"]).optional(),
  forvaltning: z.string().trim().min(1).max(200).optional(),
  page: z.coerce.number().int().min(1).max(1000).default(1),
});

export interface SearchHit {
  voiceMessageId: string;
  recordedAt: Date;
  groupName: string;
  agentName: string;
  classification: string | null;
  forvaltning: string | null;
  caseReference: HighlightPart[] | null;
  rank: number;
  /** Highlighted fragments of the transcript (the correction when there is one). */
  transcript: HighlightPart[] | null;
  transcriptCorrected: boolean;
  note: HighlightPart[] | null;
}

export interface SearchResult {
  query: string;
  total: number;
  page: number;
  pageSize: number;
  hits: SearchHit[];
}

interface Row {
  id: string;
  recordedAt: Date;
  groupName: string;
  agentName: string;
  classification: string | null;
  forvaltning: string | null;
  rank: number;
  total: string;
  transcriptHit: string | null;
  corrected: boolean;
  noteHit: string | null;
  caseHit: string | null;
}

/** Sentinels instead of HTML: the page escapes the parts itself. */
const HEADLINE_OPTS = `StartSel=${START_SEL}, StopSel=${STOP_SEL}, MaxWords=30, MinWords=10, MaxFragments=3, FragmentDelimiter=" … "`;
/**
 * Before the parser sees a text: the sentinels become blanks (so they only
 * mark matches), and "<", ">" and "/" become control characters the parser
 * treats as blanks, so that markup is not dropped as a tag and "2026/1234" is
 * two words; `restore` puts them back in the parts.
 */
const clean = (expr: string) => `translate(${expr}, E'\\x01\\x02<>/', E'  \\x03\\x04\\x05')`;
const restore = (s: string) => s.replace(/\x03/g, "<").replace(/\x04/g, ">").replace(/\x05/g, "/");
const highlight = (marked: string | null) =>
  marked === null ? null : splitHighlight(marked).map((p) => ({ ...p, text: restore(p.text) }));
const NOTE_DOC = `to_tsvector('swedish', ${clean(`COALESCE(vm.note, '') || ' ' || COALESCE(vm."caseReference", '')`)})`;

/**
 * Full-text search (Swedish configuration) over an organization's transcripts,
 * review notes and case references, ranked, with filters. Transcripts are
 * found through their GIN index; notes and case references are few (only
 * reviewed messages have them) and are matched directly.
 */
export async function searchTranscripts(ctx: AppContext, actor: Actor, input: unknown): Promise<SearchResult> {
  assertManager(actor);
  const p = parseOrThrow(searchQuerySchema, input);
  const words = queryWords(p.q);
  const empty: SearchResult = { query: p.q, total: 0, page: p.page, pageSize: PAGE_SIZE, hits: [] };
  if (words.length === 0) return empty;

  const params: unknown[] = [actor.organizationId];
  const param = (v: unknown) => `$${params.push(v)}`;
  // Each word: any of its variants as a stem prefix; all words must match.
  const tsq = words
    .map(
      (w) =>
        `(${wordVariants(w)
          .map((v) => `to_tsquery('swedish', ${param(v)}::text || ':*')`)
          .join(" || ")})`,
    )
    .join(" && ");

  const filters: string[] = [];
  if (p.week) {
    const org = await getOrganization(ctx.prisma, actor.organizationId);
    const range = weekRange(parseIsoWeek(p.week)!, org.timeZone);
    filters.push(
      `vm."recordedAt" >= ${param(range.start)}::timestamptz AND vm."recordedAt" < ${param(range.end)}::timestamptz`,
    );
  }
  if (p.groupId) filters.push(`vm."groupId" = ${param(p.groupId)}::uuid`);
  if (p.agentId) filters.push(`vm."agentId" = ${param(p.agentId)}::uuid`);
  if (p.category) filters.push(`vm.classification = ${param(p.category)}`);
  if (p.forvaltning) filters.push(`lower(vm.forvaltning) = lower(${param(p.forvaltning)})`);
  const limit = param(PAGE_SIZE);
  const offset = param((p.page - 1) * PAGE_SIZE);

  const rows = await sqlQuery<Row>(
    ctx.prisma,
    `WITH q AS (SELECT ${tsq} AS query),
     candidates AS (
       SELECT t."voiceMessageId" AS id FROM "Transcript" t, q
        WHERE t."organizationId" = $1::uuid AND t."searchVector" @@ q.query
       UNION
       SELECT vm.id FROM "VoiceMessage" vm, q
        WHERE vm."organizationId" = $1::uuid AND (vm.note IS NOT NULL OR vm."caseReference" IS NOT NULL)
          AND ${NOTE_DOC} @@ q.query),
     ranked AS (
       SELECT vm.id, vm."recordedAt", vm.classification, vm.forvaltning, vm."groupId", vm."agentId",
              -- Most messages have no note: rank them on the stored vector alone, without parsing anything per row.
              ts_rank(CASE WHEN vm.note IS NULL AND vm."caseReference" IS NULL THEN COALESCE(t."searchVector", ''::tsvector)
                           ELSE COALESCE(t."searchVector", ''::tsvector) || setweight(${NOTE_DOC}, 'B') END, q.query) AS rank,
              count(*) OVER () AS total
         FROM candidates c
         JOIN "VoiceMessage" vm ON vm.id = c.id
         LEFT JOIN "Transcript" t ON t."voiceMessageId" = vm.id
         CROSS JOIN q
        WHERE vm."organizationId" = $1::uuid ${filters.map((f) => `AND ${f}`).join(" ")}
        ORDER BY rank DESC, vm."recordedAt" DESC
        LIMIT ${limit} OFFSET ${offset})
     SELECT r.id, r."recordedAt", r.classification, r.forvaltning, r.rank::float8 AS rank, r.total,
            g.name AS "groupName", COALESCE(a.name, a."externalId") AS "agentName",
            t."correctedText" IS NOT NULL AS corrected,
            CASE WHEN COALESCE(t."correctedText", t.text) IS NOT NULL
                 THEN ts_headline('swedish', ${clean(`COALESCE(t."correctedText", t.text)`)}, q.query, '${HEADLINE_OPTS}') END AS "transcriptHit",
            CASE WHEN vm.note IS NOT NULL
                 THEN ts_headline('swedish', ${clean("vm.note")}, q.query, '${HEADLINE_OPTS}') END AS "noteHit",
            CASE WHEN vm."caseReference" IS NOT NULL
                 THEN ts_headline('swedish', ${clean(`vm."caseReference"`)}, q.query, '${HEADLINE_OPTS}') END AS "caseHit"
       FROM ranked r
       JOIN "VoiceMessage" vm ON vm.id = r.id
       LEFT JOIN "Transcript" t ON t."voiceMessageId" = r.id
       JOIN "AnswerGroup" g ON g.id = r."groupId"
       JOIN "Agent" a ON a.id = r."agentId"
       CROSS JOIN q
      ORDER BY r.rank DESC, r."recordedAt" DESC`,
    params,
  );
  return {
    ...empty,
    total: rows.length ? Number(rows[0].total) : 0,
    hits: rows.map((r) => ({
      voiceMessageId: r.id,
      recordedAt: r.recordedAt,
      groupName: r.groupName,
      agentName: r.agentName,
      classification: r.classification,
      forvaltning: r.forvaltning,
      rank: Number(r.rank),
      transcript: highlight(r.transcriptHit),
      transcriptCorrected: r.corrected,
      note: highlight(r.noteHit),
      caseReference: highlight(r.caseHit),
    })),
  };
}
