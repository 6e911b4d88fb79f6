import { randomBytes, randomUUID } from "node:crypto";
import type { AppContext } from "../../src/context.js";
import type { SurveyState } from "../../src/generated/prisma/enums.js";
import { ensureAgent, ensureGroup } from "../../src/organizations/service.js";
import type { TestContext } from "./context.js";
import { TEST_ACCOUNT_SID } from "./context.js";

/** Factories and helpers shared by the dispatcher and recording tests. Numbers are invented. */

export const sid = (prefix: "CA" | "RE") => prefix + randomBytes(16).toString("hex");
export const CALLS_PATH = `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Calls.json`;
export const callPath = (callSid: string) => `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Calls/${callSid}.json`;

let seq = 0;
/** A random Swedish-looking mobile number that no real subscriber is promised to have. */
export const inventedNumber = () => `+4670${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`;

export interface SurveyFixture {
  id: string;
  number: string;
  completedCallId: string;
}

export async function createSurvey(
  ctx: TestContext,
  opts: {
    number?: string;
    state?: SurveyState;
    nextAttemptAt?: Date;
    expiresAt?: Date;
    attempts?: number;
    callSid?: string | null;
    claimedAt?: Date;
    organizationId?: string;
  } = {},
): Promise<SurveyFixture> {
  const organizationId = opts.organizationId ?? ctx.organizationId;
  const group = await ensureGroup(ctx.prisma, organizationId, "val-1", "Val 1 – Socialt stöd, vård och omsorg");
  const agent = await ensureAgent(ctx.prisma, organizationId, "agent-test-1", "Testagent");
  const number = opts.number ?? inventedNumber();
  const now = ctx.now();
  const cc = await ctx.prisma.completedCall.create({
    data: {
      organizationId,
      externalCallId: `ext-${Date.now()}-${++seq}-${randomUUID()}`,
      callerNumberEnc: new Uint8Array(ctx.numbers.encrypt(number)),
      callerHash: ctx.numbers.hash(number),
      agentId: agent.id,
      groupId: group.id,
      queueSeconds: 30,
      talkSeconds: 120,
      startedAt: new Date(now.getTime() - 180_000),
      endedAt: new Date(now.getTime() - 60_000),
      decision: "scheduled",
    },
  });
  const s = await ctx.prisma.surveyCall.create({
    data: {
      organizationId,
      completedCallId: cc.id,
      groupId: group.id,
      agentId: agent.id,
      state: opts.state ?? "scheduled",
      attempts: opts.attempts ?? 0,
      nextAttemptAt: opts.nextAttemptAt ?? now,
      expiresAt: opts.expiresAt ?? new Date(now.getTime() + 4 * 3600_000),
      flowId: "nki-sv",
      callSid: opts.callSid ?? null,
      claimedAt: opts.claimedAt ?? null,
      claimedBy: opts.claimedAt ? "dead-instance" : null,
    },
  });
  return { id: s.id, number, completedCallId: cc.id };
}

/** Removes every survey so each test starts from an empty queue (and an idle slot clock). */
export async function clearSurveys(ctx: AppContext) {
  await ctx.prisma.voiceMessage.deleteMany({});
  await ctx.prisma.surveyCall.deleteMany({});
  await ctx.prisma.completedCall.deleteMany({});
  await ctx.prisma.dispatchThrottle.deleteMany({});
}

export async function events(ctx: AppContext, surveyId: string) {
  return ctx.prisma.surveyEvent.findMany({ where: { surveyId }, orderBy: { id: "asc" } });
}

export const survey = (ctx: AppContext, id: string) => ctx.prisma.surveyCall.findUniqueOrThrow({ where: { id } });

/** A Call resource body as Twilio returns it (the fields twilio-node reads). */
export function callResource(callSid: string, to: string, status = "queued", created = new Date()) {
  return {
    sid: callSid,
    account_sid: TEST_ACCOUNT_SID,
    to,
    from: "+46850000000",
    status,
    direction: "outbound-api",
    date_created: created.toUTCString(),
    date_updated: created.toUTCString(),
    api_version: "2010-04-01",
    uri: `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Calls/${callSid}.json`,
  };
}
