import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { smsTick } from "../src/sms/sender.js";
import { parseFlow } from "../src/survey/flows.js";
import { openLinkToken } from "../src/websurvey/token.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, TEST_ACCOUNT_SID, type TestContext } from "./support/context.js";
import { signedPost } from "./support/twilio.js";
import { callPath, clearSurveys, createSurvey, sid, survey } from "./support/dispatch-fixtures.js";

const T0 = "2026-11-24T09:00:00Z"; // Tuesday 10:00 in Stockholm
const MESSAGES_PATH = `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages.json`;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const smsSid = () => sid("CA").replace(/^CA/, "SM");

function messageResource(messageSid: string, to: string, status = "queued") {
  return {
    sid: messageSid,
    account_sid: TEST_ACCOUNT_SID,
    to,
    from: "+46850000000",
    status,
    body: "…",
    num_segments: "2",
    direction: "outbound-api",
    date_created: new Date().toUTCString(),
  };
}

describe("SMS fallback after an unanswered survey call", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  const twilio = () => nock("https://api.twilio.com");

  const callStatus = (surveyId: string, callSid: string, status: string) =>
    signedPost(
      app.url,
      `/twilio/status?surveyId=${surveyId}`,
      { AccountSid: TEST_ACCOUNT_SID, CallSid: callSid, CallStatus: status, SequenceNumber: "3" },
      ctx,
    );
  /** A survey on its last attempt (default max 1 retry), then Twilio says no-answer. */
  async function lastAttemptUnanswered(number?: string) {
    const callSid = sid("CA");
    const s = await createSurvey(ctx, { state: "dialling", attempts: 2, callSid, number });
    const res = await callStatus(s.id, callSid, "no-answer");
    expect(res.status).toBe(200);
    return { ...s, callSid };
  }
  const smsOf = (surveyId: string) => ctx.prisma.surveySms.findUnique({ where: { surveyId } });
  const numberOf = async (completedCallId: string) =>
    (await ctx.prisma.completedCall.findUniqueOrThrow({ where: { id: completedCallId } })).callerNumberEnc;
  /** Expects exactly one Messages.json create and returns its form body. */
  function expectCreate(reply: (to: string) => [number, object]) {
    const bodies: Record<string, string>[] = [];
    twilio()
      .post(MESSAGES_PATH, (b: Record<string, string>) => {
        bodies.push(b);
        return true;
      })
      .basicAuth({ user: TEST_ACCOUNT_SID, pass: ctx.twilioCredentials.authToken })
      .reply(() => reply(bodies[bodies.length - 1].To));
    return bodies;
  }

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    ctx = await createTestContext(db, {
      env: { SMS_PER_SECOND: "50" },
      now: T0,
      settings: { callingHours: "mon-fri 08:00-20:00", smsFallback: true },
    });
    app = await startTestApp(ctx);
  });
  beforeEach(async () => {
    ctx.setNow(T0);
    await ctx.prisma.surveySms.deleteMany({});
    await ctx.prisma.optOut.deleteMany({});
    await clearSurveys(ctx);
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await app?.close();
    await db?.close();
  });

  it("the last unanswered attempt schedules one SMS, sends it with the link, then erases the number", async () => {
    const s = await lastAttemptUnanswered("+46701230001");
    expect(await survey(ctx, s.id)).toMatchObject({ state: "no_answer", outcome: "no_answer" });
    expect(await smsOf(s.id)).toMatchObject({ state: "due", dueAt: new Date("2026-11-24T09:01:00Z") });
    // Kept while the SMS is due: the only reason the number survives the final state.
    expect(await numberOf(s.completedCallId)).not.toBeNull();

    expect((await smsTick(ctx)).claimed).toBe(0); // not due yet
    ctx.setNow("2026-11-24T09:01:00Z");
    const messageSid = smsSid();
    const bodies = expectCreate((to) => [201, messageResource(messageSid, to)]);
    expect(await smsTick(ctx)).toMatchObject({ claimed: 1, sent: 1 });

    const row = await smsOf(s.id);
    expect(bodies).toHaveLength(1);
    const body = bodies[0];
    expect(Object.keys(body).sort()).toEqual(["Body", "From", "StatusCallback", "To"]);
    expect(body.To).toBe("+46701230001");
    expect(body.From).toBe("+46850000000");
    expect(body.StatusCallback).toBe(`https://nki.example.test/twilio/sms/status?smsId=${row!.id}#rc=3&rp=ct,rt,5xx`);
    const link = /https:\/\/nki\.example\.test\/s\/([A-Za-z0-9_-]+)/.exec(body.Body);
    expect(link).not.toBeNull();
    const opened = openLinkToken(ctx.numbers, link![1], ctx.now());
    expect(opened).toMatchObject({ ok: true, claims: { surveyCallId: s.id } });
    expect(body.Body).toContain("Testkommun");
    expect(body.Body).toContain("ungefär en minut");
    expect(body.Body).toContain("Svara STOPP för att inte få fler frågor");
    expect(body.Body).not.toContain("46701230001");
    expect(row).toMatchObject({ state: "sent", messageSid, twilioStatus: "queued", attempts: 1 });
    expect(row!.sentAt).toEqual(new Date("2026-11-24T09:01:00Z"));
    expect(await numberOf(s.completedCallId)).toBeNull();
    expect(JSON.stringify(ctx.logs)).not.toContain("46701230001");

    // Never a second one: later ticks find nothing, a second "final" move cannot schedule another.
    ctx.setNow("2026-11-24T10:00:00Z");
    expect((await smsTick(ctx)).claimed).toBe(0);
    expect(await ctx.prisma.surveySms.count({ where: { surveyId: s.id } })).toBe(1);
  });

  it("the original call's late status callback after the SMS changes nothing", async () => {
    const s = await lastAttemptUnanswered();
    ctx.setNow("2026-11-24T09:01:00Z");
    const messageSid = smsSid();
    expectCreate((to) => [201, messageResource(messageSid, to)]);
    await smsTick(ctx);
    const before = await smsOf(s.id);

    for (const late of ["completed", "no-answer", "busy", "failed"]) {
      expect((await callStatus(s.id, s.callSid, late)).status).toBe(200);
    }
    expect(await survey(ctx, s.id)).toMatchObject({ state: "no_answer", outcome: "no_answer" });
    expect(await smsOf(s.id)).toEqual(before);
    ctx.setNow("2026-11-24T09:30:00Z");
    expect((await smsTick(ctx)).claimed).toBe(0);
  });

  it("fallback off (the default) for a svarsgrupp: no SMS and the number is erased at the final state", async () => {
    const callSid = sid("CA");
    const s = await createSurvey(ctx, { state: "dialling", attempts: 2, callSid });
    const groupId = (await survey(ctx, s.id)).groupId;
    await ctx.prisma.answerGroup.update({ where: { id: groupId }, data: { settings: { smsFallback: false } } });
    try {
      await callStatus(s.id, callSid, "no-answer");
      expect(await survey(ctx, s.id)).toMatchObject({ state: "no_answer" });
      expect(await smsOf(s.id)).toBeNull();
      expect(await numberOf(s.completedCallId)).toBeNull();
    } finally {
      await ctx.prisma.answerGroup.update({ where: { id: groupId }, data: { settings: {} } });
    }
  });

  it("a machine and a hang-up before the first question schedule one; a retry or answers do not", async () => {
    // Machine (AMD): hung up on, SMS scheduled.
    const machineCall = sid("CA");
    const machine = await createSurvey(ctx, { state: "dialling", attempts: 1, callSid: machineCall });
    twilio().post(callPath(machineCall)).reply(200, { sid: machineCall, status: "completed" });
    await signedPost(
      app.url,
      `/twilio/amd?surveyId=${machine.id}`,
      { AccountSid: TEST_ACCOUNT_SID, CallSid: machineCall, AnsweredBy: "machine_end_beep" },
      ctx,
    );
    expect(await survey(ctx, machine.id)).toMatchObject({ state: "machine" });
    expect(await smsOf(machine.id)).toMatchObject({ state: "due" });

    // Picked up and hung up before the first question: no_answer / hung_up_before_first_answer.
    const hungCall = sid("CA");
    const hung = await createSurvey(ctx, { state: "in_progress", attempts: 1, callSid: hungCall });
    await callStatus(hung.id, hungCall, "completed");
    expect(await survey(ctx, hung.id)).toMatchObject({ outcome: "hung_up_before_first_answer" });
    expect(await smsOf(hung.id)).toMatchObject({ state: "due" });

    // First attempt unanswered: a retry is scheduled, not an SMS.
    const firstCall = sid("CA");
    const first = await createSurvey(ctx, { state: "dialling", attempts: 1, callSid: firstCall });
    await callStatus(first.id, firstCall, "no-answer");
    expect(await survey(ctx, first.id)).toMatchObject({ state: "scheduled" });
    expect(await smsOf(first.id)).toBeNull();

    // Twilio failed the call: no SMS (a number Twilio cannot call is no better by SMS).
    const failedCall = sid("CA");
    const failed = await createSurvey(ctx, { state: "dialling", attempts: 2, callSid: failedCall });
    await callStatus(failed.id, failedCall, "failed");
    expect(await smsOf(failed.id)).toBeNull();
    expect(await numberOf(failed.completedCallId)).toBeNull();
  });

  it("an unanswered call late in the evening gets its SMS inside the next calling window", async () => {
    ctx.setNow("2026-11-24T18:59:30Z"); // 19:59:30 local; +1 min is past 20:00
    const s = await lastAttemptUnanswered();
    expect(await smsOf(s.id)).toMatchObject({ dueAt: new Date("2026-11-25T07:00:00Z") });
    ctx.setNow("2026-11-24T20:00:00Z");
    expect((await smsTick(ctx)).claimed).toBe(0);
  });

  it("a number that opted out between the call and the SMS gets none, and its number is erased", async () => {
    const s = await lastAttemptUnanswered("+46701230002");
    const inbound = await signedPost(
      app.url,
      "/twilio/sms/inbound",
      { AccountSid: TEST_ACCOUNT_SID, MessageSid: smsSid(), From: "+46701230002", Body: "stopp" },
      ctx,
    );
    expect(inbound.status).toBe(200);
    ctx.setNow("2026-11-24T09:01:00Z");
    expect(await smsTick(ctx)).toMatchObject({ claimed: 1, skipped: 1, sent: 0 });
    expect(await smsOf(s.id)).toMatchObject({ state: "skipped", reason: "opted_out", messageSid: null });
    expect(await numberOf(s.completedCallId)).toBeNull();
  });

  it("Twilio 21610 (opted out at the carrier): recorded, an OptOut added, no retry, number erased", async () => {
    const s = await lastAttemptUnanswered("+46701230003");
    ctx.setNow("2026-11-24T09:01:00Z");
    expectCreate(() => [
      400,
      { code: 21610, message: "Attempt to send to unsubscribed recipient", status: 400, more_info: "" },
    ]);
    expect(await smsTick(ctx)).toMatchObject({ claimed: 1, failed: 1 });
    expect(await smsOf(s.id)).toMatchObject({ state: "failed", reason: "carrier_opt_out", errorCode: "21610" });
    const optOut = await ctx.prisma.optOut.findFirst({
      where: { organizationId: ctx.organizationId, numberHash: ctx.numbers.hash("+46701230003") },
    });
    expect(optOut).toMatchObject({ source: "sms-carrier" });
    expect(await numberOf(s.completedCallId)).toBeNull();
    ctx.setNow("2026-11-24T09:30:00Z");
    expect((await smsTick(ctx)).claimed).toBe(0);
  });

  it("Twilio 21211 (invalid number): failed without a retry", async () => {
    const s = await lastAttemptUnanswered();
    ctx.setNow("2026-11-24T09:01:00Z");
    expectCreate(() => [400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 }]);
    expect(await smsTick(ctx)).toMatchObject({ failed: 1 });
    expect(await smsOf(s.id)).toMatchObject({ state: "failed", reason: "invalid_number", errorCode: "21211" });
    expect(await numberOf(s.completedCallId)).toBeNull();
    ctx.setNow("2026-11-24T12:00:00Z");
    expect((await smsTick(ctx)).claimed).toBe(0);
  });

  it("a 5xx is retried with backoff, bounded: five attempts, then given up with the number erased", async () => {
    const s = await lastAttemptUnanswered();
    let at = new Date("2026-11-24T09:01:00Z");
    for (let attempt = 1; attempt <= 5; attempt++) {
      ctx.setNow(at);
      expectCreate(() => [503, { code: 20503, message: "Service unavailable", status: 503 }]);
      const r = await smsTick(ctx);
      const row = await smsOf(s.id);
      if (attempt < 5) {
        expect(r).toMatchObject({ retried: 1 });
        expect(row).toMatchObject({ state: "due", attempts: attempt, errorCode: "20503" });
        // Backoff grows: at least half of 10 s × 2^(attempt-1) later.
        expect(row!.dueAt.getTime() - at.getTime()).toBeGreaterThanOrEqual(5_000 * 2 ** (attempt - 1));
        expect(await numberOf(s.completedCallId)).not.toBeNull();
        at = row!.dueAt;
      } else {
        expect(r).toMatchObject({ failed: 1 });
        expect(row).toMatchObject({ state: "failed", reason: "retries_exhausted", attempts: 5 });
        expect(await numberOf(s.completedCallId)).toBeNull();
      }
    }
  });

  it("two instances share the SMS rate: no second holds more than SMS_PER_SECOND sends", async () => {
    const cps = 4;
    const instance = (id: string): TestContext => ({
      ...ctx,
      instanceId: id,
      config: { ...ctx.config, SMS_PER_SECOND: cps },
    });
    const [a, b] = [instance("sms-a"), instance("sms-b")];
    const surveys = [];
    for (let i = 0; i < 10; i++) surveys.push(await lastAttemptUnanswered());
    ctx.setNow("2026-11-24T09:01:00Z");
    // The slot on the shared SMS clock each send waited for: what the senders control. (When a request then
    // arrives depends on the machine's load, which can bunch late ones up.)
    const slots: number[] = [];
    twilio()
      .post(MESSAGES_PATH)
      .times(10)
      .reply((_uri, body) => {
        const to =
          typeof body === "string"
            ? (new URLSearchParams(body).get("To") ?? "")
            : String((body as Record<string, unknown>).To);
        return [201, messageResource(smsSid(), to)];
      });
    const run = async (c: TestContext) => {
      let sent = 0;
      for (let i = 0; i < 10; i++) sent += (await smsTick(c, { batch: 2, beforeSend: (at) => slots.push(at) })).sent;
      return sent;
    };
    const [byA, byB] = await Promise.all([run(a), run(b)]);
    expect(byA + byB).toBe(10);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(slots).toHaveLength(10);
    slots.sort((x, y) => x - y);
    for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBeGreaterThanOrEqual(1000 / cps);
    for (let i = cps; i < slots.length; i++) expect(slots[i] - slots[i - cps]).toBeGreaterThanOrEqual(1000);
    for (const s of surveys) expect(await numberOf(s.completedCallId)).toBeNull();
  });

  it("a 503 then a success sends exactly one message", async () => {
    const s = await lastAttemptUnanswered();
    ctx.setNow("2026-11-24T09:01:00Z");
    expectCreate(() => [503, { code: 20503, message: "Service unavailable", status: 503 }]);
    await smsTick(ctx);
    ctx.setNow((await smsOf(s.id))!.dueAt);
    const messageSid = smsSid();
    expectCreate((to) => [201, messageResource(messageSid, to)]);
    expect(await smsTick(ctx)).toMatchObject({ sent: 1 });
    expect(await smsOf(s.id)).toMatchObject({ state: "sent", messageSid, attempts: 2 });
  });

  it("the link asks the flow version of the SMS's sending, even after a newer version is published", async () => {
    const s = await lastAttemptUnanswered();
    ctx.setNow("2026-11-24T09:01:00Z");
    const bodies = expectCreate((to) => [201, messageResource(smsSid(), to)]);
    expect(await smsTick(ctx)).toMatchObject({ sent: 1 });
    const pinned = await survey(ctx, s.id);
    const sentWith = ctx.flows.getFlow(pinned.flowId);
    expect(pinned.flowVersion).toBe(sentWith.version);

    // A new version is published between the SMS and the citizen opening the link: another first question.
    const { version: _v, ...content } = structuredClone(sentWith);
    content.questions[0] = {
      ...content.questions[0],
      key: "vantetid",
      web: { text: "Helt ny fråga om väntetiden?" },
    };
    const newer = parseFlow(content, "test: a newer version");
    ctx.flows.addVersion(newer);
    try {
      expect(ctx.flows.getFlow(sentWith.id).version).toBe(newer.version);
      const url = /https:\/\/nki\.example\.test(\/s\/[A-Za-z0-9_-]+)/.exec(bodies[0].Body)![1];
      const page = await fetch(`${app.url}${url}`).then((r) => r.text());
      expect(page).toContain("Hur nöjd är du med hur länge du fick vänta innan någon svarade?");
      expect(page).not.toContain("Helt ny fråga");
      expect(page).toContain('name="q_svarstid"');
      const post = await fetch(`${app.url}${url}`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ q_svarstid: "4", step: "svarstid" }),
      });
      expect(post.status).toBe(303);
      const answer = await ctx.prisma.answer.findFirstOrThrow({ where: { surveyId: s.id } });
      expect(answer).toMatchObject({
        questionKey: "svarstid",
        score: 4,
        channel: "web",
        flowVersion: sentWith.version,
      });
      // The newer version's question is refused: it is not this survey's.
      const other = await fetch(`${app.url}${url}`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ q_vantetid: "4", step: "vantetid" }),
      });
      expect(other.status).toBe(400);
    } finally {
      ctx.flows.addVersion(sentWith); // the file's version current again for the other tests
    }
  });
});

describe("SMS webhooks: delivery status and inbound STOPP", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: T0, settings: { smsFallback: true } });
    app = await startTestApp(ctx);
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await app?.close();
    await db?.close();
  });

  async function sentSms() {
    const s = await createSurvey(ctx, { state: "no_answer" });
    const messageSid = smsSid();
    const row = await ctx.prisma.surveySms.create({
      data: {
        surveyId: s.id,
        organizationId: ctx.organizationId,
        state: "sent",
        dueAt: ctx.now(),
        messageSid,
        twilioStatus: "queued",
        sentAt: ctx.now(),
      },
    });
    return { row, messageSid };
  }
  const status = (smsId: string, form: Record<string, string>, opts?: { signature?: string | null }) =>
    signedPost(app.url, `/twilio/sms/status?smsId=${smsId}`, { AccountSid: TEST_ACCOUNT_SID, ...form }, ctx, opts);
  const inbound = (form: Record<string, string>, opts?: { signature?: string | null }) =>
    signedPost(app.url, "/twilio/sms/inbound", { AccountSid: TEST_ACCOUNT_SID, ...form }, ctx, opts);

  it("records sent → delivered; a replay or an out-of-order 'sent' changes nothing", async () => {
    const { row, messageSid } = await sentSms();
    expect((await status(row.id, { MessageSid: messageSid, MessageStatus: "sent" })).status).toBe(200);
    ctx.setNow("2026-11-24T09:00:05Z");
    const res = await status(row.id, { MessageSid: messageSid, MessageStatus: "delivered" });
    expect(await res.text()).toBe(EMPTY_TWIML);
    const delivered = await ctx.prisma.surveySms.findUniqueOrThrow({ where: { id: row.id } });
    expect(delivered).toMatchObject({ state: "delivered", twilioStatus: "delivered" });
    expect(delivered.statusAt).toEqual(new Date("2026-11-24T09:00:05Z"));

    ctx.setNow("2026-11-24T09:00:09Z");
    await status(row.id, { MessageSid: messageSid, MessageStatus: "delivered" });
    await status(row.id, { MessageSid: messageSid, MessageStatus: "sent" });
    expect(await ctx.prisma.surveySms.findUniqueOrThrow({ where: { id: row.id } })).toEqual(delivered);
  });

  it("records undelivered with its error code; another message's SID cannot touch the row", async () => {
    const { row, messageSid } = await sentSms();
    await status(row.id, { MessageSid: smsSid(), MessageStatus: "failed", ErrorCode: "30008" });
    expect(await ctx.prisma.surveySms.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ state: "sent" });
    await status(row.id, { MessageSid: messageSid, MessageStatus: "undelivered", ErrorCode: "30003" });
    expect(await ctx.prisma.surveySms.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      state: "undelivered",
      errorCode: "30003",
    });
  });

  it("rejects forged status callbacks (403) and ignores invalid ones (200, nothing recorded)", async () => {
    const { row, messageSid } = await sentSms();
    const forged = await status(row.id, { MessageSid: messageSid, MessageStatus: "delivered" }, { signature: "AAAA" });
    expect(forged.status).toBe(403);
    const unsigned = await status(row.id, { MessageSid: messageSid, MessageStatus: "delivered" }, { signature: null });
    expect(unsigned.status).toBe(403);
    const invalid = await status(row.id, { MessageSid: messageSid, MessageStatus: "exploded" });
    expect(invalid.status).toBe(200);
    expect(await ctx.prisma.surveySms.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      twilioStatus: "queued",
    });
  });

  it("STOPP opts the number out with one confirmation; a replay gets none; other texts get no reply", async () => {
    const from = "+46701230010";
    const hash = ctx.numbers.hash(from);
    const scheduled = await createSurvey(ctx, { number: from, state: "scheduled" });
    const messageSid = smsSid();
    const res = await inbound({ MessageSid: messageSid, From: from, To: "+46850000000", Body: "  Stopp.\n" });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain("<Response><Message>Du får inga fler enkäter från oss.");
    expect(
      await ctx.prisma.optOut.findFirst({ where: { organizationId: ctx.organizationId, numberHash: hash } }),
    ).toMatchObject({ source: "sms" });
    expect(await survey(ctx, scheduled.id)).toMatchObject({ state: "canceled" });

    const replay = await inbound({ MessageSid: messageSid, From: from, To: "+46850000000", Body: "  Stopp.\n" });
    expect(await replay.text()).toBe(EMPTY_TWIML);
    expect(await ctx.prisma.optOut.count({ where: { numberHash: hash } })).toBe(1);

    const other = "+46701230011";
    const hello = await inbound({ MessageSid: smsSid(), From: other, Body: "Hej, vem är det?" });
    expect(await hello.text()).toBe(EMPTY_TWIML);
    expect(await ctx.prisma.optOut.count({ where: { numberHash: ctx.numbers.hash(other) } })).toBe(0);
    expect(JSON.stringify(ctx.logs)).not.toContain("701230010");
  });

  it("STOP and AVSLUTA work too, in any case", async () => {
    for (const [i, word] of ["stop", "AVSLUTA", "Avsluta!"].entries()) {
      const from = `+4670123002${i}`;
      const res = await inbound({ MessageSid: smsSid(), From: from, Body: word });
      expect(await res.text()).toContain("<Message>");
      expect(await ctx.prisma.optOut.count({ where: { numberHash: ctx.numbers.hash(from) } })).toBe(1);
    }
  });

  it("rejects a forged inbound STOPP: 403 and no opt-out", async () => {
    const from = "+46701230030";
    const res = await inbound({ MessageSid: smsSid(), From: from, Body: "STOPP" }, { signature: "Zm9yZ2Vk" });
    expect(res.status).toBe(403);
    expect(await ctx.prisma.optOut.count({ where: { numberHash: ctx.numbers.hash(from) } })).toBe(0);
  });
});
