import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { CliCommand } from "../cli.js";
import type { Config } from "../lib/config.js";
import { createNumberCrypto, loadNumberKey } from "../lib/crypto.js";
import { openDatabase, type Database } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import { createLocalEventBus } from "../lib/events.js";
import type { Logger } from "../lib/logger.js";
import { migrate } from "../lib/migrate.js";
import { ensureOrganization } from "../organizations/service.js";
import { API_KEY_CACHE_MS, createApiKey, listApiKeys, revokeApiKey } from "./api-keys.js";
import { scrubPhoneNumbers } from "../lib/scrub.js";
import { CsvFormatError, decodeCsvFile, importCallsCsv } from "./csv.js";

async function withOrganization<T>(
  config: Config,
  logger: Logger,
  slug: string | undefined,
  fn: (db: Database, org: { id: string; slug: string; timeZone: string }) => Promise<T>,
): Promise<T> {
  const db = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: path.resolve(config.DATA_DIR),
    logger,
    poolSize: 1,
  });
  try {
    await migrate(db.url, logger);
    const wanted = slug ?? config.DEFAULT_ORG_SLUG;
    // The default organization may not exist before the service's first start.
    const org =
      wanted === config.DEFAULT_ORG_SLUG
        ? await ensureOrganization(db.prisma, {
            slug: wanted,
            name: config.DEFAULT_ORG_NAME,
            timeZone: config.DEFAULT_TIME_ZONE,
          })
        : await db.prisma.organization.findUnique({ where: { slug: wanted } });
    if (!org) throw new AppError("not_found", `No organization with slug ${wanted}`);
    return await fn(db, org);
  } finally {
    await db.close();
  }
}

function reportFailure(err: unknown): number {
  if (err instanceof AppError || err instanceof CsvFormatError) {
    console.error(err.message);
    return 1;
  }
  throw err;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const apiKeyCommand: CliCommand = {
  usage: "create [--org <slug>] [--name <name>] | list [--org <slug>] | revoke <id> [--org <slug>]",
  async run(args, { config, logger }) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { org: { type: "string" }, name: { type: "string" } },
    });
    const usage = () => {
      console.error(`usage: npm run cli -- api-key ${this.usage}`);
      return 2;
    };
    if (sub !== "create" && sub !== "list" && sub !== "revoke") return usage();
    if (sub === "revoke" && !UUID.test(positionals[0] ?? "")) {
      console.error("api-key revoke needs the key's id, as `api-key list` shows it");
      return usage();
    }
    try {
      return await withOrganization(config, logger, values.org, async (db, org) => {
        if (sub === "list") {
          const keys = await listApiKeys(db.prisma, org.id);
          if (keys.length === 0) console.log(`No intake API keys for ${org.slug}.`);
          for (const k of keys) {
            const state = k.revokedAt
              ? `revoked ${k.revokedAt.toISOString()}`
              : `last used ${k.lastUsedAt?.toISOString() ?? "never"}`;
            console.log(`${k.id}  ${k.prefix}…  ${k.name}  (created ${k.createdAt.toISOString()}, ${state})`);
          }
          return 0;
        }
        if (sub === "revoke") {
          const revoked = await revokeApiKey(db.prisma, org.id, positionals[0], new Date());
          console.log(
            revoked
              ? `Revoked. Requests with this key are refused within ${API_KEY_CACHE_MS / 1000} s on every running instance.`
              : `No live API key ${positionals[0]} for ${org.slug}.`,
          );
          return revoked ? 0 : 1;
        }
        const name = values.name ?? `created ${new Date().toISOString().slice(0, 10)} on ${hostname()}`;
        const { secret } = await createApiKey(db.prisma, org.id, name);
        console.log(
          `API key for ${org.slug} (${name}); shown once, store it in the telephony system now:\n\n  ${secret}\n`,
        );
        console.log(`Use it as: Authorization: Bearer ${secret}`);
        return 0;
      });
    } catch (err) {
      return reportFailure(err);
    }
  },
};

export const importCsvCommand: CliCommand = {
  usage:
    "<file.csv> [--org <slug>]   (columns: externalCallId, callerNumber, agentId, agentName, groupKey, groupName, startedAt, endedAt, queueSeconds, language)",
  async run(args, { config, logger }) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { org: { type: "string" } } });
    if (positionals.length !== 1) {
      console.error(`usage: npm run cli -- import-csv ${this.usage}`);
      return 2;
    }
    const file = positionals[0];
    try {
      const text = decodeCsvFile(readFileSync(file));
      return await withOrganization(config, logger, values.org, async (db, org) => {
        const deps = {
          prisma: db.prisma,
          numbers: createNumberCrypto(loadNumberKey(config.NUMBER_KEY, path.resolve(config.DATA_DIR)).key),
          events: createLocalEventBus(),
          logger,
          now: () => new Date(),
        };
        const report = await importCallsCsv(deps, org.id, text, org.timeZone);
        if (report.read === 0) {
          console.error(`No rows in ${file}: nothing imported. Expected a header line and one line per call.`);
          return 1;
        }
        const byOutcome = new Map<string, number>();
        for (const { result } of report.accepted) {
          const key = result.duplicate
            ? "already received"
            : result.decision === "scheduled"
              ? "scheduled"
              : `skipped: ${result.reason}`;
          byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
        }
        console.log(`Accepted ${report.accepted.length} row(s), rejected ${report.rejected.length}.`);
        for (const [k, n] of [...byOutcome].sort()) console.log(`  ${k}: ${n}`);
        for (const r of report.rejected)
          console.log(
            `  line ${r.line}: ${r.details.map((d) => `${d.field}: ${scrubPhoneNumbers(d.message)}`).join("; ")}`,
          );
        // Non-zero when rows were rejected, so a scheduled import notices.
        return report.rejected.length > 0 ? 1 : 0;
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        console.error(`No such file: ${file}`);
        return 1;
      }
      if (err instanceof AppError || err instanceof CsvFormatError) return reportFailure(err);
      // Never a stack trace for a file problem; the cause is in the log.
      logger.error("CSV import failed", { err });
      console.error(`Import failed: ${scrubPhoneNumbers((err as Error).message ?? String(err))}`);
      return 1;
    }
  },
};
