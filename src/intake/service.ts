import { randomUUID } from "node:crypto";
import type { AppContext } from "../context.js";
import { zodDetails, type ErrorDetail } from "../lib/errors.js";
import { maskPhone } from "../lib/logger.js";
import { effectiveSettings, type OrgSettings } from "../organizations/settings.js";
import { resolveAgents, resolveGroups } from "./directory.js";
import { persistDecisions, type NewCall } from "./persist.js";
import { classifyNumber } from "./phone.js";
import { findDecisions, findOptedOut, findRecentSurveys, type StoredDecision } from "./repository.js";
import { decideSurvey, sampleValue, type SkipReason } from "./sampling.js";
import { completedCallSchema, crossFieldProblems, type CompletedCallInput } from "./schema.js";

/**
 * Intake of completed calls, shared by the API and the CSV import: validate
 * each row, decide with the pure sampling rules, and store every decision
 * (and the scheduled survey) before answering. Resending a call returns its
 * first decision.
 */
export type IntakeDeps = Pick<AppContext, "prisma" | "numbers" | "events" | "logger" | "now">;

export type IntakeResult =
  | { index: number; ok: true; externalCallId: string; decision: "scheduled" | "skipped"; reason: SkipReason | null; dueAt: Date | null; duplicate: boolean }
  | { index: number; ok: false; externalCallId: string | null; details: ErrorDetail[] };

const DAY_MS = 86_400_000;

// surveyForeignNumbers is read when the settings schema carries it (see phone.ts).
const surveysForeign = (s: OrgSettings) => (s as Partial<Record<"surveyForeignNumbers", boolean>>).surveyForeignNumbers === true;

function validate(rows: unknown[], now: Date) {
  const valid: { index: number; call: CompletedCallInput }[] = [];
  const invalid: IntakeResult[] = [];
  rows.forEach((row, index) => {
    const parsed = completedCallSchema.safeParse(row);
    const problems = parsed.success ? crossFieldProblems(parsed.data, now) : zodDetails(parsed.error);
    if (parsed.success && problems.length === 0) valid.push({ index, call: parsed.data });
    else {
      const id = (row as { externalCallId?: unknown } | null)?.externalCallId;
      invalid.push({ index, ok: false, externalCallId: typeof id === "string" ? id.slice(0, 200) : null, details: problems });
    }
  });
  return { valid, invalid };
}

const fromStored = (index: number, d: StoredDecision, duplicate: boolean): IntakeResult => ({ index, ok: true, ...d, duplicate });

export async function ingestCalls(deps: IntakeDeps, organizationId: string, rows: unknown[]): Promise<IntakeResult[]> {
  const now = deps.now();
  const { valid, invalid } = validate(rows, now);
  const results: IntakeResult[] = [...invalid];

  // The first row with an id wins; a repeat inside the same request is a duplicate of it.
  const firstById = new Map<string, { index: number; call: CompletedCallInput }>();
  const repeats: { index: number; externalCallId: string }[] = [];
  for (const v of valid) {
    if (firstById.has(v.call.externalCallId)) repeats.push({ index: v.index, externalCallId: v.call.externalCallId });
    else firstById.set(v.call.externalCallId, v);
  }
  const stored = await findDecisions(deps.prisma, organizationId, [...firstById.keys()]);
  const fresh = [...firstById.values()].filter((v) => !stored.has(v.call.externalCallId));
  for (const [id, d] of stored) results.push(fromStored(firstById.get(id)!.index, d, true));

  const decided = new Map<string, StoredDecision>(stored);
  if (fresh.length > 0) {
    const newCalls = await decide(deps, organizationId, fresh, now);
    const { lost } = await persistDecisions(deps, organizationId, newCalls, now);
    // Rows another request stored first (a concurrent resend): answer with that request's decision.
    const winners = await findDecisions(deps.prisma, organizationId, [...lost]);
    for (const c of newCalls) {
      const won = winners.get(c.externalCallId);
      const d: StoredDecision = won ?? { externalCallId: c.externalCallId, decision: c.decision.decision, reason: c.decision.decision === "skipped" ? c.decision.reason : null, dueAt: c.decision.decision === "scheduled" ? c.decision.dueAt : null };
      decided.set(c.externalCallId, d);
      results.push(fromStored(c.index, d, Boolean(won)));
    }
  }
  for (const r of repeats) results.push(fromStored(r.index, decided.get(r.externalCallId)!, true));
  return results.sort((a, b) => a.index - b.index);
}

async function decide(deps: IntakeDeps, organizationId: string, rows: { index: number; call: CompletedCallInput }[], now: Date): Promise<NewCall[]> {
  const db = deps.prisma;
  const org = await db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { settings: true, timeZone: true } });
  const groupNames = new Map(rows.map((r) => [r.call.group.key, r.call.group.name]));
  const agentNames = new Map(rows.map((r) => [r.call.agent.externalId, r.call.agent.name]));
  const groups = await resolveGroups(db, organizationId, groupNames);
  const agents = await resolveAgents(db, organizationId, agentNames);

  const settingsByGroup = new Map<string, OrgSettings>();
  const prepared = rows.map(({ index, call }) => {
    const group = groups.get(call.group.key)!;
    let settings = settingsByGroup.get(group.id);
    if (!settings) settingsByGroup.set(group.id, (settings = effectiveSettings(org.settings, group.settings)));
    const number = classifyNumber(call.callerNumber, { internalPrefixes: settings.internalPrefixes, surveyForeignNumbers: surveysForeign(settings) });
    const hash = number.e164 ? deps.numbers.hash(number.e164) : null;
    return { index, call, groupId: group.id, agentId: agents.get(call.agent.externalId)!, settings, number, hash };
  });

  const hashes = [...new Set(prepared.flatMap((p) => (p.hash && !p.number.problem ? [p.hash] : [])))];
  const longestWindow = Math.max(0, ...prepared.map((p) => p.settings.repeatWindowDays));
  const [optedOut, recent] = await Promise.all([
    findOptedOut(db, organizationId, hashes),
    findRecentSurveys(db, organizationId, hashes, new Date(now.getTime() - longestWindow * DAY_MS)),
  ]);

  return prepared.map((p) => {
    const repeatSince = now.getTime() - p.settings.repeatWindowDays * DAY_MS;
    const last = p.hash ? recent.get(p.hash) : undefined;
    const decision = decideSurvey(
      { number: p.number, startedAt: new Date(p.call.startedAt), endedAt: new Date(p.call.endedAt), queueSeconds: p.call.queueSeconds },
      p.settings,
      {
        now,
        timeZone: org.timeZone,
        optedOut: p.hash !== null && optedOut.has(p.hash),
        surveyedRecently: p.settings.repeatWindowDays > 0 && last !== undefined && last.getTime() >= repeatSince,
        sampleValue: sampleValue(organizationId, p.call.externalCallId),
      },
    );
    // Later rows of the same batch see this one's survey.
    if (decision.decision === "scheduled" && p.hash) recent.set(p.hash, now);
    deps.logger.debug("call decided", {
      organizationId,
      externalCallId: p.call.externalCallId,
      caller: maskPhone(p.number.e164),
      decision: decision.decision,
      reason: decision.decision === "skipped" ? decision.reason : undefined,
    });
    const language = p.call.language?.toLowerCase() ?? null;
    const flows = p.settings.flows;
    const flowId = (language && (flows[language] ?? flows[language.split("-")[0]!])) ?? flows.default ?? "nki-sv";
    return {
      index: p.index,
      id: randomUUID(),
      externalCallId: p.call.externalCallId,
      call: p.call,
      groupId: p.groupId,
      agentId: p.agentId,
      e164: p.number.e164,
      hash: p.hash,
      language,
      flowId,
      decision,
    };
  });
}
