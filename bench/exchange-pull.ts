/**
 * The benchmark exchange's daily pull for 50 peers: one local HTTP server
 * stands in for 50 installations (50 Ed25519 keys, one path each, each serving
 * its signed document of 25 months × 7 questions for the kundcenter and 6
 * opted-in group categories, 1,225 figures), and the service's own
 * pullAllPeers fetches, verifies, validates and stores them all.
 *
 *   npx tsx bench/exchange-pull.ts [--peers 50] [--rounds 3]                 # PGlite
 *   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/exchange-pull.ts   # a new database on the server, dropped after
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { EXCHANGE_FORMAT, signPayload, type ExchangeFigureData } from "../src/exchange/document.js";
import type { ExchangeKeys } from "../src/exchange/keys.js";
import { addPeer, pullAllPeers } from "../src/exchange/service.js";
import { createTestDatabase } from "../test/support/db.js";
import { createTestContext } from "../test/support/context.js";

const { values: args } = parseArgs({
  options: { peers: { type: "string", default: "50" }, rounds: { type: "string", default: "3" } },
});
const PEERS = Number(args.peers);
const QUESTIONS = ["bemotande", "engagemang", "fick_hjalp", "helhet", "kunskap", "rekommendera", "svarstid"];
const NOW = new Date("2026-12-01T03:00:00Z");

function keys(): ExchangeKeys {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey,
    publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    source: "bench",
  };
}

function figures(seed: number): ExchangeFigureData[] {
  const out: ExchangeFigureData[] = [];
  for (let m = 0; m < 25; m++) {
    const d = new Date(Date.UTC(2024, 11 + m, 1));
    const month = d.toISOString().slice(0, 7);
    for (const scope of ["kundcenter", ...[1, 2, 3, 4, 5, 6].map((g) => `group:kategori-${g}`)])
      for (const questionKey of QUESTIONS) {
        const n = 200 + ((seed * 31 + m * 7) % 900);
        // Scores mostly 4–5: a mean near 4.2, a plausible spread.
        const top2 = Math.round(n * 0.8);
        const sum = Math.round(n * 4.2);
        const sumSq = Math.round(n * 18.4);
        out.push({ scope, month, questionKey, n, sum, sumSq, top2 });
      }
  }
  return out;
}

const peers = Array.from({ length: PEERS }, (_, i) => {
  const k = keys();
  const doc = signPayload(
    {
      format: EXCHANGE_FORMAT,
      municipality: `Grannkommun ${i + 1}`,
      publishedAt: NOW.toISOString(),
      flowKeys: [...QUESTIONS],
      figures: figures(i),
    },
    k,
  );
  return { publicKey: k.publicKey, body: JSON.stringify(doc) };
});
const server = createServer((req, res) => {
  const i = Number(/^\/peer\/(\d+)$/.exec(req.url ?? "")?.[1] ?? -1);
  if (!peers[i]) return void res.writeHead(404).end();
  res.writeHead(200, { "content-type": "application/json" }).end(peers[i].body);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const db = await createTestDatabase();
const ctx = await createTestContext(db, { now: NOW, env: { LOG_LEVEL: "error" } });
ctx.logger.silent = true;
for (const [i, p] of peers.entries())
  await addPeer(ctx.prisma, { name: `granne-${i + 1}`, url: `${base}/peer/${i}`, publicKey: p.publicKey });

const where = process.env.TEST_DATABASE_URL ? "PostgreSQL server" : "PGlite";
console.log(`${PEERS} peers, ${peers[0].body.length.toLocaleString("en")} bytes a document, ${where}`);
for (let r = 1; r <= Number(args.rounds); r++) {
  const t = performance.now();
  const out = await pullAllPeers(ctx, 10_000);
  const s = (performance.now() - t) / 1000;
  const failed = out.filter((o) => !o.ok);
  const stored = out.reduce((a, o) => a + (o.figures ?? 0), 0);
  console.log(
    `round ${r}: ${s.toFixed(2)} s, ${out.length - failed.length} ok, ${failed.length} failed${failed.length ? ` (${failed[0].error})` : ""}, ${stored.toLocaleString("en")} figures stored`,
  );
}
console.log(`rows in ExchangeFigure: ${(await ctx.prisma.exchangeFigure.count()).toLocaleString("en")}`);
server.close();
await db.close();
