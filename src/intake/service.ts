import { randomUUID } from "node:crypto";
import type { AppContext } from "../context.js";
import { zodDetails, type ErrorDetail } from "../lib/errors.js";
import { maskPhone } from "../lib/logger.js";
import { effectiveSettings, type OrgSettings } from "../organizations/settings.js";
import { resolveAgents, resolveGroups } from "./directory.js";
import { classifyNumber } from "./phone.js";
import { insertDecisions, readIntakeFacts, type DecisionRow, type StoredDecision } from "./repository.js";
import { decideSurvey, sampleValue, talkSeconds, type SkipReason } from "./sampling.js";
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

/** Flow id for a language: exact tag, then its primary subtag, then the default. */
function chooseFlow(flows: Record<string, string>, language: string | null): string {
  return (language && (flows[language] ?? flows[language.split("-")[0]!])) || flows.default || "nki-sv";
}

export async function ingestCalls(deps: IntakeDeps, organizationId: string, rows: unknown[]): Promise<IntakeResult[]> {
  const db = deps.prisma;
  const now = deps.now();
  const { valid, invalid } = validate(rows, now);
  const results: IntakeResult[] = [...invalid];
  if (valid.length === 0) return results;

  // The first row with an id wins; a repeat inside the same request is a duplicate of it.
  const firsts = new Map<string, { index: number; call: CompletedCallInput }>();
  const repeats: { index: number; externalCallId: string }[] = [];
  for (const v of valid) {
    if (firsts.has(v.call.externalCallId)) repeats.push({ index: v.index, externalCallId: v.call.externalCallId });
    else firsts.set(v.call.externalCallId, v);
  }
  const batch = [...firsts.values()];

  const org = await db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { settings: true, timeZone: true } });
  const groups = await resolveGroups(db, organizationId, new Map(batch.map((r) => [r.call.group.key, r.call.group.name])));
  const agents = await resolveAgents(db, organizationId, new Map(batch.map((r) => [r.call.agent.externalId, r.call.agent.name])));
  const settingsByGroup = new Map<string, OrgSettings>();
  const prepared = batch.map(({ index, call }) => {
    const group = groups.get(call.group.key)!;
    let settings = settingsByGroup.get(group.id);
    if (!settings) settingsByGroup.set(group.id, (settings = effectiveSettings(org.settings, group.settings)));
    const number = classifyNumber(call.callerNumber, { internalPrefixes: settings.internalPrefixes, surveyForeignNumbers: surveysForeign(settings) });
    const hash = number.e164 ? deps.numbers.hash(number.e164) : null;
    return { index, call, groupId: group.id, agentId: agents.get(call.agent.externalId)!, settings, number, hash };
  });

  const hashes = [...new Set(prepared.flatMap((p) => (p.hash && !p.number.problem ? [p.hash] : [])))];
  const longestWindow = Math.max(0, ...prepared.map((p) => p.settings.repeatWindowDays));
  const facts = await readIntakeFacts(db, organizationId, [...firsts.keys()], hashes, new Date(now.getTime() - longestWindow * DAY_MS));

  const decided = new Map<string, StoredDecision>(facts.stored);
  const toStore: (DecisionRow & { index: number })[] = [];
  for (const p of prepared) {
    const id = p.call.externalCallId;
    if (facts.stored.has(id)) continue;
    const startedAt = new Date(p.call.startedAt);
    const endedAt = new Date(p.call.endedAt);
    const last = p.hash ? facts.recent.get(p.hash) : undefined;
    const decision = decideSurvey({ number: p.number, startedAt, endedAt, queueSeconds: p.call.queueSeconds }, p.settings, {
      now,
      timeZone: org.timeZone,
      optedOut: p.hash !== null && facts.optedOut.has(p.hash),
      surveyedRecently: p.settings.repeatWindowDays > 0 && last !== undefined && last.getTime() >= now.getTime() - p.settings.repeatWindowDays * DAY_MS,
      sampleValue: sampleValue(organizationId, id),
    });
    const scheduled = decision.decision === "scheduled";
    // Later rows of the same batch see this one's survey.
    if (scheduled && p.hash) facts.recent.set(p.hash, now);
    deps.logger.debug("call decided", { organizationId, externalCallId: id, caller: maskPhone(p.number.e164), decision: decision.decision, reason: scheduled ? undefined : decision.reason });
    const language = p.call.language?.toLowerCase() ?? null;
    toStore.push({
      index: p.index,
      id: randomUUID(),
      surveyId: scheduled ? randomUUID() : null,
      externalCallId: id,
      // Only a survey needs the number itself; a skipped call keeps at most its hash.
      enc: scheduled && p.number.e164 ? deps.numbers.encrypt(p.number.e164).toString("base64") : null,
      hash: p.hash,
      agentId: p.agentId,
      groupId: p.groupId,
      queueSeconds: p.call.queueSeconds,
      talkSeconds: talkSeconds({ startedAt, endedAt, queueSeconds: p.call.queueSeconds }),
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      language,
      decision: decision.decision,
      skipReason: scheduled ? null : decision.reason,
      dueAt: scheduled ? decision.dueAt.toISOString() : null,
      expiresAt: scheduled ? decision.expiresAt.toISOString() : null,
      flowId: chooseFlow(p.settings.flows, language),
    });
  }

  const inserted = toStore.length > 0 ? await insertDecisions(db, organizationId, toStore.map(({ index: _i, ...row }) => row), now) : { calls: new Set<string>(), surveys: [] };
  for (const surveyId of inserted.surveys) {
    deps.events.publish({ type: "survey.state", organizationId, surveyId, from: null, to: "scheduled", at: now.toISOString() });
  }
  // Rows a concurrent request stored first: answer with that request's decision.
  const lost = toStore.filter((r) => !inserted.calls.has(r.id)).map((r) => r.externalCallId);
  const winners = lost.length > 0 ? (await readIntakeFacts(db, organizationId, lost, [], now)).stored : new Map<string, StoredDecision>();

  for (const b of batch) {
    const stored = facts.stored.get(b.call.externalCallId);
    if (stored) results.push(fromStored(b.index, stored, true));
  }
  for (const r of toStore) {
    const won = winners.get(r.externalCallId);
    const d: StoredDecision = won ?? {
      externalCallId: r.externalCallId,
      decision: r.decision,
      reason: (r.skipReason as SkipReason | null) ?? null,
      dueAt: r.dueAt ? new Date(r.dueAt) : null,
    };
    decided.set(r.externalCallId, d);
    results.push(fromStored(r.index, d, Boolean(won)));
  }
  for (const r of repeats) results.push(fromStored(r.index, decided.get(r.externalCallId)!, true));
  return results.sort((a, b) => a.index - b.index);
}
