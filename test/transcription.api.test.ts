import express from "express";
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../src/auth/sessions.js";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import { applySettingsOverrides, ensureOrganization } from "../src/organizations/service.js";
import { forgetNumber } from "../src/retention/forget.js";
import { simulatorTranscriptionRouter } from "../src/telephony/simulator/transcription.js";
import { VoiceTextRegistry } from "../src/telephony/simulator/voice-texts.js";
import { applyTranscriptRetention } from "../src/transcription/retention.js";
import { createHttpTranscriber } from "../src/transcription/transcriber.js";
import { transcribeNext } from "../src/transcription/worker.js";
import { enqueueStoredMessages } from "../src/transcription/repository.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createUser, createVoiceMessage, makeWav } from "./review.fixtures.js";

/**
 * The whole path on the simulator's transcription server (a real HTTP server
 * on loopback, failures switched off), then the managers' API over HTTP, and
 * retention.
 */
describe("transcripts: simulator server, API, retention", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let asr: Server;
  const voices = new VoiceTextRegistry();
  const clients: Record<string, { cookie: string; csrf: string; userId: string }> = {};

  async function signIn(organizationId: string, role: "admin" | "manager" | "agent") {
    const u = await createUser(db.prisma, organizationId, role);
    const s = await createSession(db.prisma, { userId: u.id, now: ctx.now(), policy: sessionPolicy(ctx.config) });
    return { cookie: `${sessionCookieName(ctx.config)}=${s.id}`, csrf: s.session.data.csrf, userId: u.id };
  }
  const call = (who: string, method: string, path: string, body?: unknown, csrf = true) =>
    fetch(app.url + path, {
      method,
      headers: {
        cookie: clients[who].cookie,
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(csrf ? { "x-csrf-token": clients[who].csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** A stored message whose WAV the simulator "heard" saying `text`, transcribed through the simulator's server. */
  async function spoken(text: string, seconds = 2, extra: { callerHash?: string } = {}) {
    const wav = makeWav(seconds, 300 + Math.floor(Math.random() * 500));
    voices.remember({ sid: `RE${randomUUID().replace(/-/g, "")}`, wav }, text);
    const m = await createVoiceMessage(db.prisma, {
      organizationId: ctx.organizationId,
      recordedAt: "2026-11-24T08:30:00Z",
      storage: ctx.storage,
      audio: wav,
      scores: { q1: 1, q2: 2 },
      callerHash: extra.callerHash,
    });
    await enqueueStoredMessages(db.prisma, ctx.now(), 100);
    expect(await transcribeNext(ctx, ctx.transcriber!)).toBe("done");
    return m;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db, { now: "2026-11-24T09:00:00Z" });
    const sim = express().use(simulatorTranscriptionRouter(voices, ctx.logger, { failureRate: 0 }));
    asr = await new Promise((resolve) => {
      const s = sim.listen(0, "127.0.0.1", () => resolve(s));
    });
    ctx.transcriber = createHttpTranscriber({
      url: `http://127.0.0.1:${(asr.address() as AddressInfo).port}`,
      model: "sim",
      timeoutMs: 5000,
    });
    app = await startTestApp(ctx);
    clients.manager = await signIn(ctx.organizationId, "manager");
    clients.admin = await signIn(ctx.organizationId, "admin");
    clients.agent = await signIn(ctx.organizationId, "agent");
    const other = await ensureOrganization(db.prisma, { slug: "annan", name: "Annan", timeZone: "Europe/Stockholm" });
    clients.stranger = await signIn(other.id, "manager");
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => (asr ? asr.close(r) : r(undefined)));
    await db?.close();
  });

  it("serves the transcript, masked, with segments, words and a suggestion with reasons", async () => {
    const { vm } = await spoken("Snöröjningen är dålig. Ring mig på 070-174 06 05.");
    const res = await call("manager", "GET", `/api/v1/transcripts/${vm.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      segments: { words?: { probability: number }[] }[];
      suggestion: { classification: string; forvaltning: string; reasons: { kind: string }[] };
    };
    expect(body).toMatchObject({
      status: "done",
      automatic: true,
      text: "Snöröjningen är dålig. Ring mig på [telefonnummer].",
      masked: true,
      correctedText: null,
    });
    expect(body.segments[0].words!.length).toBe(3);
    expect(body.segments[1].words).toBeUndefined();
    expect(body.suggestion).toMatchObject({ classification: "klagomal", forvaltning: "Samhällsbyggnadsförvaltningen" });
    expect(body.suggestion.reasons.map((r) => r.kind)).toEqual(["cue", "score", "forvaltning"]);
  });

  it("keeps transcripts from agents and other organizations", async () => {
    const { vm } = await spoken("Tack för hjälpen.");
    expect((await call("agent", "GET", `/api/v1/transcripts/${vm.id}`)).status).toBe(403);
    expect((await call("stranger", "GET", `/api/v1/transcripts/${vm.id}`)).status).toBe(404);
    expect((await call("agent", "GET", `/api/v1/transcripts/search?q=tack`)).status).toBe(403);
    const strangerSearch = (await (await call("stranger", "GET", `/api/v1/transcripts/search?q=tack`)).json()) as {
      total: number;
    };
    expect(strangerSearch.total).toBe(0);
  });

  it("stores a correction beside the original, masked, audited, and searched instead of the original", async () => {
    const { vm } = await spoken("Hanläggaren var otrevlig.");
    expect((await call("manager", "PUT", `/api/v1/transcripts/${vm.id}/correction`, { text: "x" }, false)).status).toBe(
      403,
    );
    const res = await call("manager", "PUT", `/api/v1/transcripts/${vm.id}/correction`, {
      text: "Handläggaren var otrevlig, ring 0701740605.",
    });
    expect(res.status).toBe(200);
    const t = await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: vm.id } });
    expect(t).toMatchObject({
      text: "Hanläggaren var otrevlig.",
      correctedText: "Handläggaren var otrevlig, ring [telefonnummer].",
      correctedById: clients.manager.userId,
    });
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { action: "transcript.corrected", targetId: vm.id },
    });
    expect(audit.detail).toEqual({ previousLength: null, length: 48 });
    const search = (await (await call("manager", "GET", "/api/v1/transcripts/search?q=handl%C3%A4ggare")).json()) as {
      hits: { voiceMessageId: string; transcriptCorrected: boolean; queue: unknown }[];
    };
    expect(search.hits).toEqual([expect.objectContaining({ voiceMessageId: vm.id, transcriptCorrected: true })]);
    // Each hit says where it is in the listening queue: the same place the search page's link opens.
    const week = "2026-W48"; // recorded Tuesday 24 November 2026
    expect(search.hits[0].queue).toEqual({ week, page: 1, href: `/queue?week=${week}#m-${vm.id}`, queued: true });
    const page = await (
      await fetch(`${app.url}/search?q=handl%C3%A4ggare`, { headers: { cookie: clients.manager.cookie } })
    ).text();
    expect(page).toContain(`href="/queue?week=${week}#m-${vm.id}"`);
  });

  it("re-transcribes on request, keeping the correction", async () => {
    const { vm } = await spoken("Första försöket.");
    await call("manager", "PUT", `/api/v1/transcripts/${vm.id}/correction`, { text: "Rättad text." });
    const res = await call("manager", "POST", `/api/v1/transcripts/${vm.id}/retranscribe`);
    expect(res.status).toBe(202);
    expect(await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: vm.id } })).toMatchObject({
      status: "pending",
      attempts: 0,
      correctedText: "Rättad text.",
    });
    expect(await transcribeNext(ctx, ctx.transcriber!)).toBe("done");
    expect(await db.prisma.auditEvent.count({ where: { action: "transcript.retranscribe", targetId: vm.id } })).toBe(1);
  });

  it("lets an admin replace the rules and a manager read them", async () => {
    const got = (await (await call("manager", "GET", "/api/v1/transcripts/rules")).json()) as {
      rules: Record<string, unknown>;
      custom: boolean;
    };
    expect(got.custom).toBe(false);
    expect((await call("manager", "PUT", "/api/v1/transcripts/rules", { rules: got.rules })).status).toBe(403);
    const rules = { ...got.rules, forvaltningar: { Tekniska: ["snö"] } };
    const put = await call("admin", "PUT", "/api/v1/transcripts/rules", { rules });
    expect(put.status).toBe(200);
    const { vm } = await spoken("Snön ligger kvar.");
    const t = (await (await call("manager", "GET", `/api/v1/transcripts/${vm.id}`)).json()) as {
      suggestion: { forvaltning: string };
    };
    expect(t.suggestion.forvaltning).toBe("Tekniska");
    expect((await call("admin", "PUT", "/api/v1/transcripts/rules", { rules: { cues: {} } })).status).toBe(400);
  });

  it("deletes a transcript with its audio, or keeps it masked when the organization says so", async () => {
    await applySettingsOverrides(db.prisma, ctx.organizationId, { transcriptKeepIdentifiers: true });
    const a = await spoken("Ring 070-174 06 05 om snöröjningen.");
    const b = await spoken("Mejla kim@exempel.se om bygglovet.");
    expect((await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: a.vm.id } })).masked).toBe(false);
    await db.prisma.voiceMessage.updateMany({
      where: { id: { in: [a.vm.id, b.vm.id] } },
      data: { state: "purged", storageKey: null },
    });

    await applySettingsOverrides(db.prisma, ctx.organizationId, { transcriptKeepAfterAudio: true });
    const kept = await applyTranscriptRetention(ctx);
    expect(kept.masked).toBeGreaterThanOrEqual(2);
    expect(await db.prisma.transcript.findUniqueOrThrow({ where: { voiceMessageId: a.vm.id } })).toMatchObject({
      text: "Ring [telefonnummer] om snöröjningen.",
      masked: true,
    });
    const found = (await (await call("manager", "GET", "/api/v1/transcripts/search?q=bygglov")).json()) as {
      total: number;
    };
    expect(found.total).toBe(1);

    await applySettingsOverrides(db.prisma, ctx.organizationId, {
      transcriptKeepAfterAudio: false,
      transcriptKeepIdentifiers: false,
    });
    await applyTranscriptRetention(ctx);
    expect(await db.prisma.transcript.count({ where: { voiceMessageId: { in: [a.vm.id, b.vm.id] } } })).toBe(0);
  });

  it("forgetting a number deletes its transcripts at once", async () => {
    const hash = ctx.numbers.hash("+46701740605");
    const { vm } = await spoken("Tack så mycket.", 2, { callerHash: hash });
    await forgetNumber(ctx, { number: "070-174 06 05" });
    expect(await db.prisma.transcript.count({ where: { voiceMessageId: vm.id } })).toBe(0);
  });
});
