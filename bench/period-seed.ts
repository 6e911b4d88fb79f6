/**
 * Seeds (or drops) the database of bench/period-pages.ts: 3 years of history
 * (2023–2025) at N answers over 50 organizations, set-based (generate_series)
 * with bench/results-data.ts, then every rollup the pages read; organization 7
 * and its agent ext-7 then get valid RFC 4122 ids (bench/period-seed-ids.sql).
 *
 *   npx tsx bench/period-seed.ts [--answers 10000000]   # create nki_bench_periodui and fill it
 *   npx tsx bench/period-seed.ts --drop                  # drop it again
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { migrate } from "../src/lib/migrate.js";
import { generateAnswers, generateRollups } from "./results-data.js";

export const PERIOD_BENCH_DB = "nki_bench_periodui";
export const ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export function benchUrl(adminUrl = ADMIN_URL): string {
  const u = new URL(adminUrl);
  u.pathname = `/${PERIOD_BENCH_DB}`;
  return u.toString();
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      answers: { type: "string", default: "10000000" },
      drop: { type: "boolean", default: false },
      "admin-url": { type: "string", default: ADMIN_URL },
    },
  });
  const admin = new pg.Client({ connectionString: args["admin-url"] });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${PERIOD_BENCH_DB} WITH (FORCE)`);
  if (args.drop) return void (await admin.end());
  await admin.query(`CREATE DATABASE ${PERIOD_BENCH_DB}`);
  await admin.end();
  const url = benchUrl(args["admin-url"]);
  await migrate(url);
  const t = Date.now();
  await generateAnswers(url, Number(args.answers));
  await generateRollups(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(readFileSync(new URL("./period-seed-ids.sql", import.meta.url), "utf8"));
  await c.query("VACUUM ANALYZE");
  await c.end();
  console.log(
    `seeded ${Number(args.answers).toLocaleString("en")} answers in ${((Date.now() - t) / 1000).toFixed(0)} s`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
