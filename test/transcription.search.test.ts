import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureOrganization } from "../src/organizations/service.js";
import type { Actor } from "../src/transcription/access.js";
import { searchTranscripts } from "../src/transcription/search.js";
import { splitHighlight } from "../src/transcription/search-rules.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, type TestContext } from "./support/context.js";
import { createVoiceMessage } from "./review.fixtures.js";

describe("splitHighlight", () => {
  it("turns sentinel-marked text into parts and never needs HTML", () => {
    expect(splitHighlight("om \u0001snöröjningen\u0002 på <b>gatan</b>")).toEqual([
      { text: "om ", match: false },
      { text: "snöröjningen", match: true },
      { text: " på <b>gatan</b>", match: false },
    ]);
    expect(splitHighlight("\u0001a\u0002\u0001b\u0002")).toEqual([
      { text: "a", match: true },
      { text: "b", match: true },
    ]);
    expect(splitHighlight("\u0001open")).toEqual([{ text: "open", match: true }]);
  });
});

describe("transcript search (PostgreSQL full-text, Swedish)", () => {
  let db: TestDatabase;
  let ctx: TestContext;
  let manager: Actor;
  const ids: Record<string, string> = {};

  async function transcribed(
    key: string,
    text: string,
    o: {
      recordedAt?: string;
      groupKey?: string;
      agent?: string;
      classification?: string;
      note?: string;
      forvaltning?: string;
      caseReference?: string;
      organizationId?: string;
    } = {},
  ) {
    const { vm } = await createVoiceMessage(db.prisma, {
      organizationId: o.organizationId ?? ctx.organizationId,
      recordedAt: o.recordedAt ?? "2026-11-24T08:30:00Z",
      groupKey: o.groupKey,
      agentExternalId: o.agent,
      review: { classification: o.classification, caseReference: o.caseReference },
    });
    await db.prisma.voiceMessage.update({
      where: { id: vm.id },
      data: { note: o.note ?? null, forvaltning: o.forvaltning ?? null },
    });
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Transcript" (id, "voiceMessageId", "organizationId", "recordedAt", status, text, "searchVector", "updatedAt")
       VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $4::timestamptz, 'done', $3, to_tsvector('swedish', $3), now())`,
      vm.id,
      vm.organizationId,
      text,
      vm.recordedAt,
    );
    ids[key] = vm.id;
    return vm;
  }
  const search = async (input: Record<string, unknown>) => searchTranscripts(ctx, manager, input);
  const found = async (q: string, more: Record<string, unknown> = {}) =>
    (await search({ q, ...more })).hits.map((h) => Object.keys(ids).find((k) => ids[k] === h.voiceMessageId)).sort();

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await createTestContext(db);
    manager = { id: "00000000-0000-4000-8000-000000000001", organizationId: ctx.organizationId, role: "manager" };
    await transcribed("snow", "Snöröjning saknas helt på vår gata sedan i måndags.", {
      classification: "klagomal",
      forvaltning: "Samhällsbyggnad",
    });
    await transcribed("treat", "Jag vill ge beröm för bemötande och hjälp.", {
      classification: "berom",
      groupKey: "val2",
    });
    await transcribed("officer", "Handläggare ringde aldrig tillbaka som lovat.", { agent: "a-7" });
    await transcribed("complaint", "Jag har lämnat ett klagomål om bygglov.", {
      recordedAt: "2026-11-17T09:00:00Z",
    });
    await transcribed("complaintDef", "Klagomålet om förskolan gäller väntetiden.", {
      recordedAt: "2026-11-17T10:00:00Z",
    });
    await transcribed("wait", "Fick vänta länge. Vänta, vänta, vänta i telefonkön.");
    await transcribed("noted", "Tack så mycket.", {
      note: "Medborgaren nämner gatubelysningen vid skolan.",
      caseReference: "KS 2026/1234",
    });
    await transcribed("markup", "Skriv <script>alert(1)</script> om snöröjningen i parken.");
    const other = await ensureOrganization(db.prisma, {
      slug: "annan-kommun",
      name: "Annan",
      timeZone: "Europe/Stockholm",
    });
    await transcribed("otherOrg", "Snöröjningen är dålig här också.", { organizationId: other.id });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("finds forms the Swedish stemmer joins", async () => {
    expect(await found("snöröjningen")).toEqual(["markup", "snow"]);
    expect(await found("snöröjning")).toEqual(["markup", "snow"]);
    expect(await found("bemötandet")).toEqual(["treat"]);
    expect(await found("handläggaren")).toEqual(["officer"]);
  });

  it("finds forms the stemmer leaves apart through prefixes", async () => {
    // 'klagomålet' stems to itself and 'klagomål' to 'klagomål': the ending is taken off, and the stem is a prefix.
    expect(await found("klagomålet")).toEqual(["complaint", "complaintDef"]);
    expect(await found("klagomål")).toEqual(["complaint", "complaintDef"]);
    // 'vänta' (stem 'vänt') is a prefix of 'väntetiden' (stem 'väntetid').
    expect(await found("vänta")).toEqual(["complaintDef", "wait"]);
    // The other way a compound's first part would match far too much: documented, not joined.
    expect(await found("väntetiden")).toEqual(["complaintDef"]);
    expect(await found("förskola")).toEqual(["complaintDef"]);
  });

  it("needs every word, ignores stop words and punctuation, and never reaches another organization", async () => {
    expect(await found("klagomål bygglov")).toEqual(["complaint"]);
    expect(await found("och snöröjning!")).toEqual(["markup", "snow"]);
    expect(await found("& | ! :*")).toEqual([]);
  });

  it("ranks the message that says the word most often first", async () => {
    const r = await search({ q: "vänta" });
    expect(r.hits[0].voiceMessageId).toBe(ids.wait);
    expect(r.hits[0].rank).toBeGreaterThan(r.hits[1].rank);
    expect(r.total).toBe(2);
  });

  it("highlights the matching words as parts, the stored text's markup left as plain text", async () => {
    const r = await search({ q: "snöröjning" });
    const hit = r.hits.find((h) => h.voiceMessageId === ids.markup)!;
    expect(hit.transcript!.filter((p) => p.match).map((p) => p.text)).toEqual(["snöröjningen"]);
    // ts_headline cuts fragments at words (the final full stop goes), but keeps what was said, markup included, as text.
    expect(hit.transcript!.map((p) => p.text).join("")).toBe(
      "Skriv <script>alert(1)</script> om snöröjningen i parken",
    );
  });

  it("searches review notes and case references", async () => {
    expect(await found("gatubelysning")).toEqual(["noted"]);
    const r = await search({ q: "1234" });
    expect(r.hits.map((h) => h.voiceMessageId)).toEqual([ids.noted]);
    expect(r.hits[0].caseReference!.filter((p) => p.match).map((p) => p.text)).toEqual(["1234"]);
    expect(r.hits[0].note).toEqual([{ text: "Medborgaren nämner gatubelysningen vid skolan.", match: false }]);
  });

  it("follows a changed note at once (the database keeps its vector)", async () => {
    await db.prisma.voiceMessage.update({ where: { id: ids.noted }, data: { note: "Trasig parkbänk." } });
    expect(await found("parkbänken")).toEqual(["noted"]);
    expect(await found("gatubelysning")).toEqual([]);
    await db.prisma.voiceMessage.update({
      where: { id: ids.noted },
      data: { note: "Medborgaren nämner gatubelysningen vid skolan." },
    });
    expect(await found("gatubelysning")).toEqual(["noted"]);
  });

  it("ranks a match in what the citizen said above one only in a review note, newer or not", async () => {
    await transcribed("said", "Parkeringen vid biblioteket är alltid full.", { recordedAt: "2026-11-24T08:00:00Z" });
    await transcribed("notedOnly", "Tack för hjälpen.", {
      recordedAt: "2026-11-24T09:00:00Z",
      note: "Gäller parkeringen vid biblioteket.",
    });
    const r = await search({ q: "parkering" });
    expect(r.hits.map((h) => h.voiceMessageId)).toEqual([ids.said, ids.notedOnly]);
    expect(r.hits[0].rank).toBeGreaterThan(r.hits[1].rank);
    expect(r.total).toBe(2);
  });

  it("filters by week, group, agent, category and förvaltning", async () => {
    expect(await found("klagomål", { week: "2026-W47" })).toEqual(["complaint", "complaintDef"]);
    expect(await found("klagomål", { week: "2026-W48" })).toEqual([]);
    const treat = (await search({ q: "beröm" })).hits[0];
    expect(treat.groupName).toBe("Val 2 – Skola");
    const groupId = (await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: ids.treat } })).groupId;
    expect(await found("beröm", { groupId })).toEqual(["treat"]);
    const snowGroup = (await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: ids.snow } })).groupId;
    expect(await found("beröm", { groupId: snowGroup })).toEqual([]);
    const agentId = (await db.prisma.voiceMessage.findUniqueOrThrow({ where: { id: ids.officer } })).agentId;
    expect(await found("tillbaka", { agentId })).toEqual(["officer"]);
    expect(await found("snöröjning", { category: "klagomal" })).toEqual(["snow"]);
    expect(await found("snöröjning", { forvaltning: "samhällsbyggnad" })).toEqual(["snow"]);
    expect(await found("snöröjning", { forvaltning: "Socialförvaltningen" })).toEqual([]);
  });

  it("refuses agents and bad filters", async () => {
    await expect(searchTranscripts(ctx, { ...manager, role: "agent" }, { q: "snö" })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(search({ q: "snö", week: "vecka 3" })).rejects.toMatchObject({ code: "validation_failed" });
    await expect(search({ q: "" })).rejects.toMatchObject({ code: "validation_failed" });
  });
});
