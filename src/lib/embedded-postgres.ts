import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** A package's entry as a URL the worker can import: ESM resolution, or CommonJS where a loader has no import.meta.resolve (vitest's global setup). */
function resolvePackage(name: string): string {
  try {
    return import.meta.resolve(name);
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve(name)).href;
  }
}

/** What recycle() compares: the schema, which a test may have changed (then the database is not reused). */
const SCHEMA_FINGERPRINT = `
SELECT (SELECT string_agg(c.relname || ':' || c.relkind::text || ':' || coalesce(a.attname || ':' || a.atttypid::text || ':' || a.attnotnull::text, ''), ','
          ORDER BY c.relname, a.attnum)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) AS relations,
       (SELECT string_agg(conname || ':' || contype::text, ',' ORDER BY conname) FROM pg_constraint
         WHERE connamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))) AS constraints,
       (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal) AS triggers,
       (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')) AS functions,
       (SELECT count(*) FROM pg_attrdef) AS defaults,
       (SELECT string_agg(enumlabel, ',' ORDER BY enumtypid, enumsortorder) FROM pg_enum) AS enums,
       (SELECT string_agg(migration_name || ':' || coalesce(checksum, ''), ',' ORDER BY migration_name)
          FROM "_prisma_migrations") AS migrations`;

/** Every table but the migrations' record, emptied, with the sequences they own restarted. */
const EMPTY_TABLES = `
DO $$ DECLARE t text; BEGIN
  SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO t
    FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations';
  IF t IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t || ' RESTART IDENTITY CASCADE'; END IF;
END $$`;

/**
 * PGlite (PostgreSQL compiled to WebAssembly) and its wire-protocol socket
 * server, in a worker thread of their own. In the service's thread every
 * statement's execution blocked the event loop that also serves HTTP; here
 * the database runs on the other core and the service reaches it over its
 * socket like any PostgreSQL server. The worker is plain CommonJS (evaluated),
 * so it needs no TypeScript loader; the packages are resolved by this module.
 */
const WORKER = `
const SCHEMA_FINGERPRINT = ${JSON.stringify(SCHEMA_FINGERPRINT)};
const EMPTY_TABLES = ${JSON.stringify(EMPTY_TABLES)};
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
(async () => {
  const { PGlite } = await import(workerData.pglite);
  const { PGLiteSocketServer } = await import(workerData.socket);
  if (workerData.dataDir) fs.mkdirSync(workerData.dataDir, { recursive: true });
  const db = workerData.fromDump
    ? await PGlite.create(workerData.dataDir, { loadDataDir: new Blob([fs.readFileSync(workerData.fromDump)]) })
    : await PGlite.create(workerData.dataDir);
  // The schema as loaded, to tell at recycle() whether the last user changed it.
  const SCHEMA = workerData.recyclable ? await db.query(SCHEMA_FINGERPRINT) : null;
  let server, url;
  const serveOnLoopback = async () => {
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 32 });
    await server.start();
    url = "postgresql://postgres@127.0.0.1:" + server.server.address().port + "/postgres";
  };
  if (workerData.socketDir) {
    fs.mkdirSync(workerData.socketDir, { recursive: true });
    const sock = path.join(workerData.socketDir, ".s.PGSQL.5432");
    if (fs.existsSync(sock)) fs.rmSync(sock);
    server = new PGLiteSocketServer({ db, path: sock, maxConnections: 32 });
    await server.start();
    url = "postgresql://postgres@localhost/postgres?host=" + encodeURIComponent(workerData.socketDir);
  } else {
    await serveOnLoopback();
  }
  parentPort.on("message", async (m) => {
    if (m && m.type === "recycle") {
      try {
        if (!SCHEMA) throw new Error("not started recyclable");
        // Closes every client's connection, so nothing of the last user's reaches the next.
        await server.stop();
        await db.exec("ROLLBACK").catch(() => {});
        const now = await db.query(SCHEMA_FINGERPRINT);
        if (JSON.stringify(now.rows) !== JSON.stringify(SCHEMA.rows)) throw new Error("the schema was changed");
        await db.exec(EMPTY_TABLES);
        await db.exec("DISCARD ALL");
        await serveOnLoopback();
        parentPort.postMessage({ type: "recycled", url });
      } catch (err) {
        parentPort.postMessage({ type: "recycled", error: String((err && err.message) || err) });
      }
      return;
    }
    if (m && m.type === "dump") {
      const file = await db.dumpDataDir("none");
      fs.writeFileSync(m.path, Buffer.from(await file.arrayBuffer()));
      parentPort.postMessage({ type: "dumped" });
      return;
    }
    if (m !== "stop") return;
    await server.stop();
    await db.close();
    parentPort.postMessage({ type: "stopped" });
  });
  parentPort.postMessage({ type: "ready", url });
})().catch((err) => parentPort.postMessage({ type: "failed", message: String((err && err.stack) || err) }));
`;

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
  /** Writes the whole database as a tarball that `fromDump` starts from (the test suite's migrated template). */
  dump?(file: string): Promise<void>;
  /**
   * With `recyclable`: closes every connection, empties every table and serves
   * the same database again on a new loopback port, resolving its URL; refused
   * (rejects) when the schema is no longer the one loaded, so the caller stops
   * it instead. The test suite hands one started database from file to file
   * this way rather than starting PostgreSQL again for each (test/support/db.ts).
   */
  recycle?(): Promise<string>;
}

/**
 * Starts PGlite on `dataDir` (undefined = in memory), from the tarball
 * `fromDump` when given, and serves it on a unix
 * socket in `socketDir` (so CLI commands reach a running service) or on a free
 * loopback port. Resolves once it accepts connections.
 */
export function startPgliteWorker(opts: {
  dataDir?: string;
  socketDir?: string;
  fromDump?: string;
  /** In memory on loopback only: keeps the loaded schema's fingerprint for recycle(). */
  recyclable?: boolean;
}): Promise<EmbeddedServer> {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      pglite: resolvePackage("@electric-sql/pglite"),
      socket: resolvePackage("@electric-sql/pglite-socket"),
      dataDir: opts.dataDir,
      socketDir: opts.socketDir,
      fromDump: opts.fromDump,
      recyclable: opts.recyclable === true && !opts.dataDir && !opts.socketDir,
    },
  });
  /** Posts a request and resolves with the worker's first reply of that type. */
  const request = <R extends { type: string }>(message: unknown, reply: R["type"]) =>
    new Promise<R>((done) => {
      const onReply = (r: R) => {
        if (r.type !== reply) return;
        worker.off("message", onReply);
        done(r);
      };
      worker.on("message", onReply);
      worker.postMessage(message);
    });
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
    worker.once("error", fail);
    worker.on("message", function onReady(m: { type: string; url?: string; message?: string }) {
      if (m.type === "failed") return fail(new Error(`embedded PostgreSQL failed to start: ${m.message}`));
      if (m.type !== "ready") return;
      worker.off("message", onReady);
      worker.off("error", fail);
      resolve({
        url: m.url!,
        stop: () =>
          new Promise<void>((done) => {
            worker.on(
              "message",
              (s: { type: string }) => s.type === "stopped" && void worker.terminate().then(() => done()),
            );
            worker.once("exit", () => done());
            worker.postMessage("stop");
          }),
        dump: async (file: string) => {
          await request({ type: "dump", path: file }, "dumped");
        },
        recycle: async () => {
          const r = await request<{ type: string; url?: string; error?: string }>({ type: "recycle" }, "recycled");
          if (!r.url) throw new Error(`embedded PostgreSQL not recycled: ${r.error}`);
          return r.url;
        },
      });
    });
  });
}
