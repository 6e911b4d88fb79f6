import { randomUUID } from "node:crypto";
import type { AppContext } from "../context.js";
import { AppError, zodDetails, type ErrorDetail } from "../lib/errors.js";
import { maskPhone } from "../lib/logger.js";
import { callReceived } from "../lib/metrics.js";
import { effectiveSettings, type OrgSettings } from "../organizations/settings.js";
import { completeAgents, completeGroups } from "./directory.js";
import { applyNumberRules, normaliseNumber } from "./phone.js";
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
  | {
      index: number;
      ok: true;
      externalCallId: string;
      decision: "scheduled" | "skipped";
      reason: SkipReason | null;
      dueAt: Date | null;
      duplicate: boolean;
    }
  | { index: number; ok: false; externalCallId: string | null; details: ErrorDetail[] };

const DAY_MS = 86_400_000;
/** The settings schema's upper bound for repeatWindowDays. */
const MAX_REPEAT_WINDOW_DAYS = 3650;

function validate(rows: unknown[], now: Date) {
  const valid: { index: number; call: CompletedCallInput }[] = [];
  const invalid: IntakeResult[] = [];
  rows.forEach((row, index) => {
    const parsed = completedCallSchema.safeParse(row);
    const problems = parsed.success ? crossFieldProblems(parsed.data, now) : zodDetails(parsed.error);
    if (parsed.success && problems.length === 0) valid.push({ index, call: parsed.data });
    else {
      const id = (row as { externalCallId?: unknown } | null)?.externalCallId;
      invalid.push({
        index,
        ok: false,
        externalCallId: typeof id === "string" ? id.slice(0, 200) : null,
        details: problems,
      });
    }
  });
  return { valid, invalid };
}

const fromStored = (index: number, d: StoredDecision, duplicate: boolean): IntakeResult => ({
  index,
  ok: true,
  ...d,
  duplicate,
});

/** Flow id for a language: exact tag, then its primary subtag, then the default. */
function chooseFlow(flows: Record<string, string>, language: string | null): string {
  return (language && (flows[language] ?? flows[language.split("-")[0]])) || flows.default || "nki-sv";
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

  // Numbers parse once, independent of settings, so their hashes can go into the one facts query.
  const numbers = batch.map((b) => normaliseNumber(b.call.callerNumber));
  const hashes = numbers.map((n) => (n.e164 ? deps.numbers.hash(n.e164) : null));
  const groupNames = new Map(batch.map((r) => [r.call.group.key, r.call.group.name]));
  const agentNames = new Map(batch.map((r) => [r.call.agent.externalId, r.call.agent.name]));
  const facts = await readIntakeFacts(db, organizationId, {
    externalCallIds: [...firsts.keys()],
    hashes: [...new Set(hashes.filter((h): h is string => h !== null))],
    groupKeys: [...groupNames.keys()],
    agentIds: [...agentNames.keys()],
    // Wide enough for any group's window; each row applies its own below.
    since: new Date(now.getTime() - MAX_REPEAT_WINDOW_DAYS * DAY_MS),
  });
  const org = facts.organization;
  if (!org) throw new AppError("not_found", "Unknown organization");
  const groups = await completeGroups(db, organizationId, groupNames, facts.groups);
  const agents = await completeAgents(db, organizationId, agentNames, facts.agents);

  const settingsByGroup = new Map<string, OrgSettings>();
  const prepared = batch.map(({ index, call }, i) => {
    const group = groups.get(call.group.key)!;
    let settings = settingsByGroup.get(group.id);
    if (!settings) settingsByGroup.set(group.id, (settings = effectiveSettings(org.settings, group.settings)));
    const number = applyNumberRules(numbers[i], {
      internalPrefixes: settings.internalPrefixes,
      surveyForeignNumbers: settings.surveyForeignNumbers,
    });
    return {
      index,
      call,
      groupId: group.id,
      agentId: agents.get(call.agent.externalId)!.id,
      settings,
      number,
      hash: hashes[i]!,
    };
  });

  const decided = new Map<string, StoredDecision>(facts.stored);
  const toStore: (DecisionRow & { index: number })[] = [];
  for (const p of prepared) {
    const id = p.call.externalCallId;
    if (facts.stored.has(id)) continue;
    const startedAt = new Date(p.call.startedAt);
    const endedAt = new Date(p.call.endedAt);
    const last = p.hash ? facts.recent.get(p.hash) : undefined;
    const decision = decideSurvey(
      { number: p.number, startedAt, endedAt, queueSeconds: p.call.queueSeconds },
      p.settings,
      {
        now,
        timeZone: org.timeZone,
        optedOut: p.hash !== null && facts.optedOut.has(p.hash),
        surveyedRecently:
          p.settings.repeatWindowDays > 0 &&
          last !== undefined &&
          last.getTime() >= now.getTime() - p.settings.repeatWindowDays * DAY_MS,
        sampleValue: sampleValue(organizationId, id),
      },
    );
    const scheduled = decision.decision === "scheduled";
    // Later rows of the same batch see this one's survey.
    if (scheduled && p.hash) facts.recent.set(p.hash, now);
    deps.logger.debug("call decided", {
      organizationId,
      externalCallId: id,
      caller: maskPhone(p.number.e164),
      decision: decision.decision,
      reason: scheduled ? undefined : decision.reason,
    });
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

  const inserted =
    toStore.length > 0
      ? await insertDecisions(
          db,
          organizationId,
          toStore.map(({ index: _i, ...row }) => row),
          now,
        )
      : { calls: new Set<string>(), surveys: [] };
  for (const surveyId of inserted.surveys) {
    deps.events.publish({
      type: "survey.state",
      organizationId,
      surveyId,
      from: null,
      to: "scheduled",
      at: now.toISOString(),
    });
  }
  for (const r of toStore) if (inserted.calls.has(r.id)) callReceived(r.decision, r.skipReason);
  // Rows a concurrent request stored first: answer with that request's decision.
  const lost = toStore.filter((r) => !inserted.calls.has(r.id)).map((r) => r.externalCallId);
  const winners =
    lost.length > 0
      ? (
          await readIntakeFacts(db, organizationId, {
            externalCallIds: lost,
            hashes: [],
            groupKeys: [],
            agentIds: [],
            since: now,
          })
        ).stored
      : new Map<string, StoredDecision>();

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
