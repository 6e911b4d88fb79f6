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

/**
 * PGlite (PostgreSQL compiled to WebAssembly) and its wire-protocol socket
 * server, in a worker thread of their own. In the service's thread every
 * statement's execution blocked the event loop that also serves HTTP; here
 * the database runs on the other core and the service reaches it over its
 * socket like any PostgreSQL server. The worker is plain CommonJS (evaluated),
 * so it needs no TypeScript loader; the packages are resolved by this module.
 */
const WORKER = `
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
  let server, url;
  if (workerData.socketDir) {
    fs.mkdirSync(workerData.socketDir, { recursive: true });
    const sock = path.join(workerData.socketDir, ".s.PGSQL.5432");
    if (fs.existsSync(sock)) fs.rmSync(sock);
    server = new PGLiteSocketServer({ db, path: sock, maxConnections: 32 });
    await server.start();
    url = "postgresql://postgres@localhost/postgres?host=" + encodeURIComponent(workerData.socketDir);
  } else {
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 32 });
    await server.start();
    url = "postgresql://postgres@127.0.0.1:" + server.server.address().port + "/postgres";
  }
  parentPort.on("message", async (m) => {
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
}): Promise<EmbeddedServer> {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      pglite: resolvePackage("@electric-sql/pglite"),
      socket: resolvePackage("@electric-sql/pglite-socket"),
      dataDir: opts.dataDir,
      socketDir: opts.socketDir,
      fromDump: opts.fromDump,
    },
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
        dump: (file: string) =>
          new Promise<void>((done) => {
            const onDumped = (d: { type: string }) => {
              if (d.type !== "dumped") return;
              worker.off("message", onDumped);
              done();
            };
            worker.on("message", onDumped);
            worker.postMessage({ type: "dump", path: file });
          }),
      });
    });
  });
}
