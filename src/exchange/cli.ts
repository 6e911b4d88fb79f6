import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { CliCommand } from "../cli.js";
import type { Config } from "../lib/config.js";
import { openDatabase, type Database } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { migrate } from "../lib/migrate.js";
import { loadFlows } from "../survey/flows.js";
import { importPublishedFigures } from "./published.js";
import { listPeers, removePeer } from "./repository.js";
import { addPeer, buildDocument, exchangeKeys, importPeerFile, pullAllPeers } from "./service.js";

async function withDatabase<T>(config: Config, logger: Logger, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: path.resolve(config.DATA_DIR),
    logger,
    poolSize: 1,
  });
  try {
    await migrate(db.url, logger);
    return await fn(db);
  } finally {
    await db.close();
  }
}

function failed(err: unknown): number {
  if (err instanceof AppError) {
    console.error(err.message);
    for (const d of err.details ?? []) console.error(`  ${d.field ?? ""}: ${d.message}`);
    return 1;
  }
  throw err;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));

export const peerCommand: CliCommand = {
  usage:
    "add --name <n> --key <public key> [--url <document url>] [--token <bearer key>] | list | remove <name> | import <name> <file.json> | pull | key | export [--org <slug>] [--out <file>]",
  async run(args, { config, logger }) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        name: { type: "string" },
        key: { type: "string" },
        url: { type: "string" },
        token: { type: "string" },
        org: { type: "string" },
        out: { type: "string" },
      },
    });
    const usage = () => {
      console.error(`usage: npm run cli -- peer ${this.usage}`);
      return 2;
    };
    // What a peer needs from us: our public key (our document URL and bearer key they get from the admin).
    if (sub === "key") {
      console.log(exchangeKeys(config).publicKey);
      return 0;
    }
    if (sub === "add" && (!values.name || !values.key)) return usage();
    if (sub === "remove" && !positionals[0]) return usage();
    if (sub === "import" && positionals.length !== 2) return usage();
    if (!["add", "list", "remove", "import", "pull", "export"].includes(sub ?? "")) return usage();
    try {
      return await withDatabase(config, logger, async (db) => {
        const deps = { prisma: db.prisma, now: () => new Date(), logger, flows: loadFlows(), config };
        switch (sub) {
          case "add": {
            const p = await addPeer(db.prisma, {
              name: values.name!,
              url: values.url ?? null,
              token: values.token ?? null,
              publicKey: values.key!,
            });
            console.log(`Peer ${p.name} saved${p.url ? `; pulled daily from ${p.url}` : " (files only)"}.`);
            return 0;
          }
          case "list": {
            const peers = await listPeers(db.prisma);
            if (peers.length === 0) console.log("No exchange peers.");
            for (const p of peers)
              console.log(
                `${p.name}\t${p.url ?? "(files only)"}\tlast pulled ${p.lastPulledAt?.toISOString() ?? "never"}${p.lastError ? `\tlast error: ${p.lastError}` : ""}`,
              );
            return 0;
          }
          case "remove":
            if (!(await removePeer(db.prisma, positionals[0]))) throw new AppError("not_found", "No such peer");
            console.log(`Peer ${positionals[0]} and its figures removed.`);
            return 0;
          case "import": {
            const n = await importPeerFile(db.prisma, positionals[0], readJson(positionals[1]), new Date());
            console.log(`${n} figures imported from ${positionals[1]} for ${positionals[0]}.`);
            return 0;
          }
          case "pull": {
            const outcomes = await pullAllPeers(deps, config.EXCHANGE_PULL_TIMEOUT_SECONDS * 1000);
            for (const o of outcomes) console.log(`${o.peer}\t${o.ok ? `${o.figures} figures` : `failed: ${o.error}`}`);
            return outcomes.every((o) => o.ok) ? 0 : 1;
          }
          default: {
            const doc = await buildDocument(deps, values.org ?? config.DEFAULT_ORG_SLUG);
            const text = `${JSON.stringify(doc, null, 1)}\n`;
            if (values.out) writeFileSync(values.out, text);
            else process.stdout.write(text);
            return 0;
          }
        }
      });
    } catch (err) {
      return failed(err);
    }
  },
};

export const publishedCommand: CliCommand = {
  usage: "import <file.csv|file.json>  (columns: municipality, year or period, measure, value, n, source, method)",
  async run(args, { config, logger }) {
    const [sub, file] = args;
    if (sub !== "import" || !file) {
      console.error(`usage: npm run cli -- published ${this.usage}`);
      return 2;
    }
    const text = readFileSync(file, "utf8");
    const input = file.toLowerCase().endsWith(".json") ? { rows: JSON.parse(text) as unknown } : { csv: text };
    try {
      return await withDatabase(config, logger, async (db) => {
        const { imported } = await importPublishedFigures(db.prisma, input, new Date());
        console.log(`${imported} published figures imported from ${file}.`);
        return 0;
      });
    } catch (err) {
      return failed(err);
    }
  },
};
