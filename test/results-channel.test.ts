import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../src/intake/api-keys.js";
import { channelsFor } from "../src/results/channels.js";
import { flushAnswerInbox, type Channel } from "../src/results/rollup.js";
import { insertAnswer } from "./support/answers.js";
import { queryFunnel } from "../src/results/funnel.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createSurveyCall } from "./support/survey-calls.js";

describe("channel split of the results", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let key: string;

  async function answer(channel: Channel, score: number, surveyState: "completed" | "no_answer") {
    const { survey, group, agent } = await createSurveyCall(ctx, { state: surveyState });
    if (channel === "web")
      await db.prisma.surveyCall.update({
        where: { id: survey.id },
        data: { webOpenedAt: ctx.now(), webCompletedAt: ctx.now() },
      });
    await insertAnswer(db.prisma, {
      surveyId: survey.id,
      organizationId: ctx.organizationId,
      groupId: group.id,
      agentId: agent.id,
      flowId: "nki-sv",
      flowVersion: "v1",
      questionKey: "bemotande",
      score,
      answeredAt: ctx.now(),
      timeZone: "Europe/Stockholm",
      channel,
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2026-11-25T10:00:00Z", settings: { minAnswersForResult: 1 } });
    key = (await createApiKey(db.prisma, ctx.organizationId, "integration")).secret;
    app = await startTestApp(ctx);
    for (let i = 0; i < 3; i++) await answer("phone", 5, "completed");
    for (let i = 0; i < 2; i++) await answer("web", 1, "no_answer");
    // Half in the rollups, half still in the inbox would be the same: fold all in to test the rollup keys.
    await flushAnswerInbox(db.prisma);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const results = async (query: string) => {
    const res = await fetch(`${app.url}/api/v1/results?period=2026-W48&${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, never> };
  };

  it("the headline is the phone survey's by default and says so", async () => {
    const { body } = await results("");
    expect(body.channels).toEqual(["phone"]);
    const rows = body.rows as { n: number; mean: number; channels: string }[];
    expect(rows[0]).toMatchObject({ n: 3, mean: 5, channels: "phone" });
  });

  it("channel=web and channel=all split and pool the answers", async () => {
    const web = (await results("channel=web")).body.rows as { n: number; mean: number; channels: string }[];
    expect(web[0]).toMatchObject({ n: 2, mean: 1, channels: "web" });
    const all = (await results("channel=all")).body.rows as { n: number; mean: number; channels: string }[];
    expect(all[0]).toMatchObject({ n: 5, mean: 3.4, channels: "phone+web" });
  });

  it("CSV rows carry the channels column", async () => {
    const res = await fetch(`${app.url}/api/v1/results?period=2026-W48&channel=web&format=csv`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const [header, line] = (await res.text()).split(/\r?\n/);
    const col = header.split(",").indexOf("channels");
    expect(col).toBeGreaterThanOrEqual(0);
    expect(line.split(",")[col]).toBe("web");
  });

  it("refuses an unknown channel naming the field", async () => {
    const { status, body } = await results("channel=fax");
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('"field":"channel"');
  });

  it("an organization that counts web answers in the headline gets both by default", async () => {
    expect(channelsFor(undefined, true)).toEqual(["phone", "web"]);
    expect(channelsFor(undefined, false)).toEqual(["phone"]);
    expect(channelsFor("web", false)).toEqual(["web"]);
  });

  it("the funnel counts links opened and web answers, and the response rate against everyone selected", async () => {
    const f = await queryFunnel(
      ctx,
      { kind: "apiKey", organizationId: ctx.organizationId },
      {
        organizationId: ctx.organizationId,
        // Calls are received on the real clock (the column's default), so a wide range.
        from: "2024-01-01",
        to: "2033-12-31",
      },
    );
    expect(f.rows[0]).toMatchObject({ sampled: 5, completed: 3, linkOpened: 2, answeredOnWeb: 2, completedOnWeb: 2 });
    expect(f.rows[0].responseRateOfSampled).toBe(0.6);
    expect(f.rows[0].responseRateAllChannels).toBe(1);
  });
});
