/**
 * Times the demo's first-start history (src/demo/history.ts) on a fresh
 * embedded PostgreSQL (PGlite, in memory), as `npm start` runs it, and on a
 * PostgreSQL server with --pg <url>. Prints rows and seconds.
 *
 *   npx tsx bench/demo-backfill.ts [--runs 3] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { backfillHistory } from "../src/demo/history.js";
import { createPrisma, EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from "../src/lib/db.js";
import { migrate } from "../src/lib/migrate.js";
import { ensureOrganization } from "../src/organizations/service.js";
import { loadFlows } from "../src/survey/flows.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, pg: { type: "string" } } });
const flow = loadFlows().getFlow("nki-sv");

for (let run = 1; run <= Number(values.runs); run++) {
  let url: string;
  let stop: () => Promise<void>;
  if (values.pg) {
    const name = `nki_bench_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: values.pg });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(values.pg);
    u.pathname = `/${name}`;
    url = u.toString();
    stop = async () => {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    const server = await startEmbeddedPostgres({});
    url = server.url;
    stop = () => server.stop();
  }
  await migrate(url);
  const prisma = createPrisma(url, values.pg ? 5 : EMBEDDED_POOL_SIZE);
  const org = await ensureOrganization(prisma, {
    slug: "kundcenter",
    name: "Kundcenter",
    timeZone: "Europe/Stockholm",
  });
  const r = await backfillHistory(prisma, {
    organizationId: org.id,
    timeZone: org.timeZone,
    now: new Date("2026-12-03T10:00:00Z"),
    flowId: flow.id,
    flowVersion: flow.version,
    onStep: (step, ms) => void (ms > 200 && console.log(`  ${(ms / 1000).toFixed(2)} s  ${step.replace(/\s+/g, " ")}`)),
  });
  const again = await backfillHistory(prisma, {
    organizationId: org.id,
    timeZone: org.timeZone,
    now: new Date("2026-12-03T10:00:00Z"),
    flowId: flow.id,
    flowVersion: flow.version,
  });
  console.log(
    `${values.pg ? "PostgreSQL" : "PGlite"} run ${run}: ${r.range.from}..${r.range.to} calls ${r.calls} surveys ${r.surveys} answers ${r.answers} in ${(r.ms / 1000).toFixed(2)} s; second start ${again.added ? "ADDED AGAIN" : "added nothing"} in ${again.ms.toFixed(0)} ms`,
  );
  await prisma.$disconnect();
  await stop();
}
