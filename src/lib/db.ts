import { existsSync, mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "./logger.js";

export type Prisma = PrismaClient;
/** What repositories accept: the client or a transaction client. */
export type Db = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends" | "$use">;

export interface Database {
  prisma: PrismaClient;
  /** A connection string that reaches this database (the embedded socket when embedded). */
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export function createPrisma(url: string, poolSize = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: poolSize });
  return new PrismaClient({ adapter });
}

/**
 * PGlite is one PostgreSQL session; pglite-socket multiplexes connections onto
 * it message by message, so two connections querying at once can get each
 * other's results ("bind message supplies N parameters", wrong rows;
 * electric-sql/pglite#1046). One connection per process keeps it correct;
 * PGlite executes one statement at a time anyway.
 */
export const EMBEDDED_POOL_SIZE = 1;

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection(socketPath);
    s.once("connect", () => { s.end(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (PostgreSQL in WebAssembly) and serves it over the wire
 * protocol, so the service uses the same `pg` + Prisma path as with a real
 * server. `dataDir` undefined = in memory (tests). With `socketDir`, listens
 * on a unix socket there (so CLI commands can reach a running service);
 * otherwise on a free loopback port.
 */
export async function startEmbeddedPostgres(opts: { dataDir?: string; socketDir?: string }): Promise<EmbeddedServer> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir ? path.resolve(opts.dataDir) : undefined);
  let server: InstanceType<typeof PGLiteSocketServer>;
  let url: string;
  if (opts.socketDir) {
    const dir = path.resolve(opts.socketDir);
    mkdirSync(dir, { recursive: true });
    const sock = path.join(dir, ".s.PGSQL.5432");
    if (existsSync(sock)) rmSync(sock);
    server = new PGLiteSocketServer({ db, path: sock, maxConnections: 32 });
    url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(dir)}`;
    await server.start();
  } else {
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 32 });
    await server.start();
    const port = (server as unknown as { server: net.Server }).server.address() as net.AddressInfo;
    url = `postgresql://postgres@127.0.0.1:${port.port}/postgres`;
  }
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Opens the configured database. Without DATABASE_URL: the embedded database
 * in DATA_DIR/pg, served on DATA_DIR/run. If a running service already serves
 * it there (PGlite allows one process per data directory), connects to that.
 */
export async function openDatabase(opts: { url?: string; dataDir: string; logger: Logger; poolSize?: number }): Promise<Database> {
  if (opts.url) {
    const prisma = createPrisma(opts.url, opts.poolSize);
    return { prisma, url: opts.url, embedded: false, close: () => prisma.$disconnect() };
  }
  const pgDir = path.resolve(opts.dataDir, "pg");
  const socketDir = path.resolve(opts.dataDir, "run");
  const sock = path.join(socketDir, ".s.PGSQL.5432");
  if (existsSync(sock) && (await canConnect(sock))) {
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
    opts.logger.info("using the embedded database served by a running service", { socket: sock });
    const prisma = createPrisma(url, EMBEDDED_POOL_SIZE);
    return { prisma, url, embedded: true, close: () => prisma.$disconnect() };
  }
  const started = Date.now();
  const server = await startEmbeddedPostgres({ dataDir: pgDir, socketDir });
  opts.logger.info("embedded PostgreSQL (PGlite) started", { dataDir: pgDir, socket: sock, ms: Date.now() - started });
  const prisma = createPrisma(server.url, EMBEDDED_POOL_SIZE);
  return {
    prisma,
    url: server.url,
    embedded: true,
    async close() {
      await prisma.$disconnect();
      await server.stop();
    },
  };
}
