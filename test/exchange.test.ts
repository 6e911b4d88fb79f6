import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName } from "../src/auth/cookies.js";
import { sessionPolicy } from "../src/auth/middleware.js";
import { createSession } from "../src/auth/sessions.js";
import { createUser } from "../src/auth/users.js";
import { EXCHANGE_FORMAT, signPayload, type ExchangePayload } from "../src/exchange/document.js";
import type { ExchangeKeys } from "../src/exchange/keys.js";
import { listPeers } from "../src/exchange/repository.js";
import {
  addPeer,
  buildDocument,
  exchangeKeys,
  importPeerFile,
  pullAllPeers,
  type PullDeps,
} from "../src/exchange/service.js";
import { ensureGroup, ensureAgent, ensureOrganization } from "../src/organizations/service.js";
import { queryResults } from "../src/results/service.js";
import { createTestContext, startTestApp, type TestContext } from "./support/context.js";
import { createTestDatabase, type TestDatabase } from "./support/db.js";

/**
 * Two service instances on separate databases: "home" pulls the figures that
 * "neighbour" publishes for three municipalities, plus peers that are down,
 * send garbage, sign with the wrong key, or asked other questions.
 */
const TOKEN_B = "neighbour-exchange-key-0123456789";
const TOKEN_A = "home-exchange-key-0123456789abcdef";
const NOW = "2026-09-15T10:00:00Z";
const FLOW_KEYS = ["bemotande", "engagemang", "fick_hjalp", "helhet", "kunskap", "rekommendera", "svarstid"];

/** Monthly org totals straight into the rollup the publisher reads: counts c1..c5 per question. */
async function putMonthly(db: TestDatabase, organizationId: string, month: string, counts: number[]) {
  for (const q of FLOW_KEYS) {
    const n = counts.reduce((a, b) => a + b, 0);
    await db.prisma
      .$executeRaw`INSERT INTO "AnswerOrgMonthly" ("organizationId", month, "questionKey", n, c1, c2, c3, c4, c5)
      VALUES (${organizationId}::uuid, ${month}::date, ${q}, ${n}, ${counts[0]}, ${counts[1]}, ${counts[2]}, ${counts[3]}, ${counts[4]})`;
  }
}

function serve(
  handler: (url: string) => { status: number; body: string } | "hang",
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const out = handler(req.url ?? "/");
    if (out === "hang") return; // never answers: the pull's timeout must end it
    res.writeHead(out.status, { "content-type": "application/json" }).end(out.body);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

const otherKeys = (): ExchangeKeys => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey,
    publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    source: "test",
  };
};

describe("benchmark exchange between two installations", () => {
  let dbA: TestDatabase;
  let dbB: TestDatabase;
  let home: TestContext;
  let neighbour: TestContext;
  let appA: Awaited<ReturnType<typeof startTestApp>>;
  let appB: Awaited<ReturnType<typeof startTestApp>>;
  let side: { url: string; server: Server };
  let sideMode: "garbage" | "valid" = "garbage";
  let otherFlowDoc: unknown;
  let stranger: ExchangeKeys;
  const orgs: Record<string, string> = {};

  beforeAll(async () => {
    [dbA, dbB] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    home = await createTestContext(dbA, { now: NOW, env: { EXCHANGE_TOKEN: TOKEN_A } });
    neighbour = await createTestContext(dbB, { now: NOW, env: { EXCHANGE_TOKEN: TOKEN_B } });
    // Three municipalities on the neighbour installation with ≥ 100 citizens a month, one with too few.
    const spec: [string, string, number[]][] = [
      ["norrby", "Norrby kommun", [2, 3, 10, 40, 65]],
      ["sunnavik", "Sunnaviks kommun", [5, 5, 20, 50, 40]],
      ["vastmo", "Västmo kommun", [1, 2, 7, 30, 60]],
      ["lillby", "Lillby kommun", [0, 1, 2, 5, 9]],
    ];
    for (const [slug, name, counts] of spec) {
      const org = await ensureOrganization(dbB.prisma, { slug, name, timeZone: "Europe/Stockholm" });
      orgs[slug] = org.id;
      for (const m of ["2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01"])
        await putMonthly(dbB, org.id, m, counts);
    }
    appA = await startTestApp(home);
    appB = await startTestApp(neighbour);
    stranger = otherKeys();
    const otherFlow: ExchangePayload = {
      format: EXCHANGE_FORMAT,
      municipality: "Annanstads kommun",
      publishedAt: NOW,
      flowKeys: ["bemotande", "nojd_totalt"],
      figures: ["2026-05", "2026-06"].map((month) => ({
        scope: "kundcenter" as const,
        month,
        questionKey: "bemotande",
        n: 5000,
        sum: 5000,
        sumSq: 5000,
        top2: 0,
      })),
    };
    otherFlowDoc = signPayload(otherFlow, stranger);
    side = await serve((url) => {
      if (url.startsWith("/garbage"))
        return sideMode === "garbage" ? { status: 200, body: "<html>oops" } : { status: 200, body: "{}" };
      if (url.startsWith("/other-flow")) return { status: 200, body: JSON.stringify(otherFlowDoc) };
      if (url.startsWith("/hang")) {
        hangReached();
        return "hang";
      }
      return { status: 404, body: "{}" };
    });
  }, 120_000);

  afterAll(async () => {
    side?.server.closeAllConnections();
    side?.server.close();
    await appA?.close();
    await appB?.close();
    await Promise.all([dbA?.close(), dbB?.close()]);
  });

  // The hanging peer's timeout fires as soon as its request has reached the silent server (the event the
  // real timer stands for), instead of after 8 real seconds; every other peer gets a minute.
  let hangReached = () => {};
  const PULL_MS = 8_000;
  const pullDeps = (): PullDeps => ({
    ...home,
    pullTimeout: (peer, ms) => {
      if (peer.name !== "hänger") return AbortSignal.timeout(60_000);
      const c = new AbortController();
      hangReached = () => c.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError"));
      return c.signal;
    },
  });

  const docUrl = (slug: string) => `${appB.url}/api/v1/exchange/document?organization=${slug}`;

  it("publishes only to a caller with the exchange key, kundcenter totals and opted-in group categories only", async () => {
    expect((await fetch(docUrl("norrby"))).status).toBe(401);
    expect(
      (await fetch(docUrl("norrby"), { headers: { authorization: "Bearer wrong-key-wrong-key-wrong" } })).status,
    ).toBe(401);
    // Norrby opts one svarsgrupp in under a shared category; its other group and its agents never leave.
    const g1 = await ensureGroup(dbB.prisma, orgs.norrby, "val1", "Val 1 – Socialt stöd");
    const g2 = await ensureGroup(dbB.prisma, orgs.norrby, "val2", "Val 2 – Skola");
    const agent = await ensureAgent(dbB.prisma, orgs.norrby, "agent-7", "Testagent Sju");
    for (const g of [g1, g2])
      await dbB.prisma
        .$executeRaw`INSERT INTO "AnswerMonthly" ("organizationId", month, "groupId", "agentId", "questionKey", n, c1, c2, c3, c4, c5)
        VALUES (${orgs.norrby}::uuid, '2026-06-01', ${g.id}::uuid, ${agent.id}::uuid, 'bemotande', 10, 0, 0, 1, 4, 5)`;
    await dbB.prisma.organization.update({
      where: { id: orgs.norrby },
      data: { settings: { exchangeGroupCategories: { val1: "socialt-stod" } } },
    });
    const res = await fetch(docUrl("norrby"), { headers: { authorization: `Bearer ${TOKEN_B}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const doc = JSON.parse(text) as { payload: ExchangePayload; signature: string };
    expect(doc.payload.municipality).toBe("Norrby kommun");
    expect(new Set(doc.payload.figures.map((f) => f.scope))).toEqual(new Set(["kundcenter", "group:socialt-stod"]));
    expect(doc.payload.figures.find((f) => f.scope === "group:socialt-stod")).toMatchObject({
      n: 10,
      sum: 44,
      top2: 9,
    });
    expect(
      doc.payload.figures.find((f) => f.scope === "kundcenter" && f.month === "2026-05" && f.questionKey === "kunskap"),
    ).toEqual({
      scope: "kundcenter",
      month: "2026-05",
      questionKey: "kunskap",
      n: 120,
      sum: 2 + 6 + 30 + 160 + 325,
      sumSq: 2 + 12 + 90 + 640 + 1625,
      top2: 105,
    });
    for (const secret of [agent.id, "agent-7", "Testagent", g2.id, "val2", "Skola", g1.id])
      expect(text).not.toContain(secret);
  });

  it("pulls every peer: good ones stored with source and time; down, garbage, wrong key and hanging ones fail alone", async () => {
    const key = exchangeKeys(neighbour.config).publicKey;
    for (const slug of ["norrby", "sunnavik", "vastmo", "lillby"])
      await addPeer(home.prisma, { name: slug, url: docUrl(slug), token: TOKEN_B, publicKey: key });
    await addPeer(home.prisma, { name: "nere", url: "http://127.0.0.1:9/down", token: null, publicKey: key });
    await addPeer(home.prisma, { name: "skräp", url: `${side.url}/garbage`, token: null, publicKey: key });
    // Norrby's real document, but registered under a key that did not sign it.
    await addPeer(home.prisma, {
      name: "fel-nyckel",
      url: docUrl("norrby"),
      token: TOKEN_B,
      publicKey: stranger.publicKey,
    });
    await addPeer(home.prisma, {
      name: "annat-formulär",
      url: `${side.url}/other-flow`,
      token: null,
      publicKey: stranger.publicKey,
    });
    await addPeer(home.prisma, { name: "hänger", url: `${side.url}/hang`, token: null, publicKey: key });

    const outcomes = await pullAllPeers(pullDeps(), PULL_MS);
    const by = Object.fromEntries(outcomes.map((o) => [o.peer, o]));
    expect(Object.keys(by).sort()).toEqual([
      "annat-formulär",
      "fel-nyckel",
      "hänger",
      "lillby",
      "nere",
      "norrby",
      "skräp",
      "sunnavik",
      "vastmo",
    ]);
    for (const ok of ["norrby", "sunnavik", "vastmo", "lillby", "annat-formulär"])
      expect(by[ok]).toMatchObject({ ok: true });
    expect(by.nere).toMatchObject({ ok: false });
    expect(by["skräp"]).toMatchObject({ ok: false, error: "response is not JSON" });
    expect(by["fel-nyckel"]).toMatchObject({ ok: false, error: expect.stringContaining("signature") });
    expect(by["hänger"]).toMatchObject({ ok: false, error: "timed out after 8000 ms" });
    const stored = await home.prisma.exchangeFigure.findFirstOrThrow({ where: { peer: { name: "sunnavik" } } });
    expect(stored).toMatchObject({ municipality: "Sunnaviks kommun", source: "pull" });
    expect(stored.importedAt.toISOString()).toBe(new Date(NOW).toISOString());
    const peers = await listPeers(home.prisma);
    expect(peers.find((p) => p.name === "nere")?.lastError).toBeTruthy();
    expect(peers.find((p) => p.name === "norrby")?.lastPulledAt?.toISOString()).toBe(new Date(NOW).toISOString());
  }, 60_000);

  it("pools only municipalities with the same questions and enough citizens, and only when three take part", async () => {
    const res = await queryResults(
      home,
      { kind: "apiKey", organizationId: home.organizationId },
      {
        organizationId: home.organizationId,
        period: "2026-P2",
        by: ["question"],
        compare: ["benchmark"],
        exact: true,
      },
    );
    const ex = res.otherSources!.exchange;
    expect(ex).toMatchObject({ source: "exchange", minRespondents: 100, minMunicipalities: 3 });
    // Norrby, Sunnavik and Västmo: 4 months × 120, 120 and 100 citizens. Lillby (17 a month, 68 in P2) is below 100;
    // Annanstad asked other questions and its 10,000 answers of 1 must not drag the mean down.
    const bem = ex.figures.bemotande!;
    expect(bem.municipalities).toBe(3);
    expect(bem.n).toBe(4 * (120 + 120 + 100));
    const sums = [2 + 6 + 30 + 160 + 325, 5 + 10 + 60 + 200 + 200, 1 + 4 + 21 + 120 + 300];
    expect(bem.mean).toBeCloseTo((4 * sums.reduce((a, b) => a + b, 0)) / 1360, 10);
    expect(bem.satisfiedShare).toBeCloseTo((4 * (105 + 90 + 90)) / 1360, 10);
    // NKI totalt: six questions per citizen, since question 7 (rekommendera) is left out by default.
    expect(ex.figures.overall).toMatchObject({ municipalities: 3, respondents: 1360, n: 1360 * 6 });
    // With a higher minimum, too few qualify: nothing is shown rather than one or two municipalities.
    await home.prisma.organization.update({
      where: { id: home.organizationId },
      data: { settings: { benchmarkMinRespondents: 481 } },
    });
    const strict = await queryResults(
      home,
      { kind: "apiKey", organizationId: home.organizationId },
      {
        organizationId: home.organizationId,
        period: "2026-P2",
        compare: ["benchmark"],
      },
    );
    expect(strict.otherSources!.exchange.figures.overall).toBeNull();
    await home.prisma.organization.update({ where: { id: home.organizationId }, data: { settings: {} } });
    // A week is not made of whole months: peers publish months, so there is no exchange figure for it.
    const week = await queryResults(
      home,
      { kind: "apiKey", organizationId: home.organizationId },
      {
        organizationId: home.organizationId,
        period: "2026-W27",
        compare: ["benchmark"],
      },
    );
    expect(week.otherSources!.exchange).toMatchObject({ unavailable: "not-whole-months", figures: {} });
  });

  it("a peer that later sends garbage keeps its earlier figures", async () => {
    sideMode = "valid";
    const key = exchangeKeys(neighbour.config).publicKey;
    await home.prisma.exchangeFigure.deleteMany({ where: { peer: { name: "skräp" } } });
    // Point the garbage peer at a good document first, then back at garbage.
    await addPeer(home.prisma, { name: "skräp", url: docUrl("vastmo"), token: TOKEN_B, publicKey: key });
    await pullAllPeers(pullDeps(), PULL_MS);
    const before = await home.prisma.exchangeFigure.count({ where: { peer: { name: "skräp" } } });
    expect(before).toBeGreaterThan(0);
    await addPeer(home.prisma, { name: "skräp", url: `${side.url}/garbage`, token: null, publicKey: key });
    const again = await pullAllPeers(pullDeps(), PULL_MS);
    expect(again.find((o) => o.peer === "skräp")).toMatchObject({
      ok: false,
      error: expect.stringContaining("not an exchange document"),
    });
    expect(await home.prisma.exchangeFigure.count({ where: { peer: { name: "skräp" } } })).toBe(before);
  }, 60_000);

  it("imports a signed file handed over out of band, and refuses a tampered one", async () => {
    const doc = (await buildDocument(neighbour, "sunnavik")) as { payload: ExchangePayload; signature: string };
    await addPeer(home.prisma, {
      name: "fil",
      url: null,
      token: null,
      publicKey: exchangeKeys(neighbour.config).publicKey,
    });
    const n = await importPeerFile(home.prisma, "fil", JSON.parse(JSON.stringify(doc)), home.now());
    expect(n).toBe(doc.payload.figures.length);
    expect(await home.prisma.exchangeFigure.count({ where: { peer: { name: "fil" }, source: "file" } })).toBe(n);
    const tampered = structuredClone(doc);
    tampered.payload.figures[0].n += 1;
    await expect(importPeerFile(home.prisma, "fil", tampered, home.now())).rejects.toMatchObject({
      code: "validation_failed",
      message: expect.stringContaining("signature"),
    });
  });

  it("works both ways: the neighbour pulls home's document over HTTP", async () => {
    await addPeer(neighbour.prisma, {
      name: "hem",
      url: `${appA.url}/api/v1/exchange/document?organization=${(await home.prisma.organization.findUniqueOrThrow({ where: { id: home.organizationId } })).slug}`,
      token: TOKEN_A,
      publicKey: exchangeKeys(home.config).publicKey,
    });
    const [out] = await pullAllPeers(neighbour, 5_000);
    // Home has no answers yet: an empty but valid, signed document.
    expect(out).toMatchObject({ peer: "hem", ok: true, figures: 0 });
  });

  it("an admin adds, lists (without bearer keys) and removes a peer through the admin API", async () => {
    const admin = await createUser(dbA.prisma, {
      organizationId: home.organizationId,
      email: "admin@example.test",
      name: "Admin",
      role: "admin",
      agentId: null,
      password: "correct horse battery staple",
    });
    const { id, session } = await createSession(dbA.prisma, {
      userId: admin.id,
      now: home.now(),
      policy: sessionPolicy(home.config),
    });
    const headers = {
      cookie: `${sessionCookieName(home.config)}=${id}`,
      "x-csrf-token": session.data.csrf,
      "content-type": "application/json",
    };
    const bad = await fetch(`${appA.url}/api/v1/exchange/peers`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "api-peer", publicKey: "bm90IGEga2V5" }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details).toEqual([expect.objectContaining({ field: "publicKey" })]);
    const created = await fetch(`${appA.url}/api/v1/exchange/peers`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        name: "api-peer",
        url: docUrl("norrby"),
        token: TOKEN_B,
        publicKey: exchangeKeys(neighbour.config).publicKey,
      }),
    });
    expect(created.status).toBe(201);
    const list = await (await fetch(`${appA.url}/api/v1/exchange/peers`, { headers })).json();
    const listed = list.peers.find((p: { name: string }) => p.name === "api-peer");
    expect(listed).toMatchObject({ url: docUrl("norrby"), hasToken: true });
    expect(JSON.stringify(list)).not.toContain(TOKEN_B);
    expect((await fetch(`${appA.url}/api/v1/exchange/peers/api-peer`, { method: "DELETE", headers })).status).toBe(204);
    expect(await dbA.prisma.exchangePeer.count({ where: { name: "api-peer" } })).toBe(0);
  });

  it("the admin API lists peers without their bearer keys and refuses anyone but an admin", async () => {
    expect((await fetch(`${appA.url}/api/v1/exchange/peers`)).status).toBe(401);
    const res = await fetch(`${appA.url}/api/v1/exchange/peers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x", publicKey: "y" }),
    });
    expect(res.status).toBe(401);
  });
});
