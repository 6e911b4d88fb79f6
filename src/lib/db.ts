import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { z } from "zod";
import { Prisma as PrismaNamespace, PrismaClient } from "../generated/prisma/client.js";
import { startPgliteWorker, type EmbeddedServer } from "./embedded-postgres.js";
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

const PLAN_LIFETIME_SECONDS = 300;

// The pg pool under each client, for sqlQuery below, and whether it may name statements.
const pools = new WeakMap<object, { pool: pg.Pool; prepare: boolean }>();
/** URLs served by PGlite in this process or by a running service's socket. */
const embeddedUrls = new Set<string>();

/**
 * Sent at connection start on a real server: no parallel workers. The service's
 * statements are small (rollups, keyed look-ups) and a page sends a dozen at
 * once on the pool; the planner still chose Gather for the period pages' trend
 * statements, and with workers those took 125–500 ms a statement against 2–107 ms
 * without (bench/RESULTS.md, period pages). PGlite has no workers to start.
 */
const NO_PARALLEL_WORKERS = "-c max_parallel_workers_per_gather=0";

export function createPrisma(url: string, poolSize = 10): PrismaClient {
  // Connections (and the plans they cached for prepared statements) are renewed
  // every few minutes: a plan chosen while a table was tiny cannot outlive its growth.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    maxLifetimeSeconds: PLAN_LIFETIME_SECONDS,
    ...(embeddedUrls.has(url) ? {} : { options: NO_PARALLEL_WORKERS }),
  });
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  // PGlite is one session behind its socket: a client reconnecting after an idle
  // close would find its statement names taken. A real server gives each connection its own.
  pools.set(client, { pool, prepare: !embeddedUrls.has(url) });
  return client;
}

const statementNames = new Map<string, string>();
/** A name per statement text, so PostgreSQL parses and plans it once per connection. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `nki_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`));
  return name;
}

export interface SqlOptions {
  /**
   * Prepare the statement once per connection (on a real server). PostgreSQL
   * then caches a generic plan, possibly chosen while the tables were nearly
   * empty and kept until ANALYZE or the connection's renewal (at most
   * PLAN_LIFETIME_SECONDS), so only for statements whose every table is reached
   * by a primary or unique key (or inserted into). A lookup the planner could
   * answer through several indexes kept a wrong choice: 50x slower (bench/RESULTS.md).
   */
  prepare?: boolean;
}

async function poolQuery(db: Db, text: string, params: unknown[], opts: SqlOptions): Promise<pg.QueryResult | null> {
  const entry = pools.get(db);
  if (!entry) return null;
  const named = opts.prepare === true && entry.prepare;
  return entry.pool.query(named ? { name: statementName(text), text, values: params } : { text, values: params });
}

/**
 * One raw statement on the pool Prisma itself uses, for the hot paths (intake,
 * each keypress): Prisma's raw path costs about 1 ms of CPU per statement
 * against 0.2 ms for pg alone (bench/RESULTS.md). Inside a transaction (a
 * transaction client has no pool here) it runs through Prisma on the
 * transaction's connection. Rows come back with pg's types: timestamptz as
 * Date, jsonb parsed, bigint and numeric as strings.
 */
export async function sqlQuery<T>(db: Db, text: string, params: unknown[] = [], opts: SqlOptions = {}): Promise<T[]> {
  const result = await poolQuery(db, text, params, opts);
  if (result) return result.rows as T[];
  const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(text, ...params);
  return rows.map(asPgRow) as T[];
}

/**
 * One raw statement whose rows are checked against `schema` (one per
 * statement, beside it): the rows' type is the schema's, and a renamed,
 * retyped, missing or extra column fails at the statement instead of
 * travelling on as a wrong value. Use z.strictObject so extra columns fail too.
 */
export async function sqlRows<S extends z.ZodType>(
  db: Db,
  schema: S,
  text: string,
  params: unknown[] = [],
  opts: SqlOptions = {},
): Promise<z.output<S>[]> {
  const rows = await sqlQuery<unknown>(db, text, params, opts);
  return rows.map((row) => checkedRow(schema, row, text));
}

function checkedRow<S extends z.ZodType>(schema: S, row: unknown, text: string): z.output<S> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const statement = text.trim().replace(/\s+/g, " ").slice(0, 160);
  throw new Error(
    `a row does not have the shape its statement promises: ${z.prettifyError(parsed.error)} (${statement})`,
  );
}

/**
 * Prisma's raw path (inside a transaction) maps bigint to BigInt and numeric
 * to Decimal where pg gives strings: converted to pg's, so a statement's rows
 * have one type on both paths (test/sql-rows.test.ts).
 */
function asPgRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = asPgValue(value);
  return out;
}

function asPgValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (PrismaNamespace.Decimal.isDecimal(value)) return value.toString();
  if (Array.isArray(value)) return value.map(asPgValue);
  return value;
}

/** The pool under a client (metrics): open connections, idle ones, and queries waiting for one. */
export function poolStats(db: Db): { total: number; idle: number; waiting: number } | null {
  const entry = pools.get(db);
  return entry ? { total: entry.pool.totalCount, idle: entry.pool.idleCount, waiting: entry.pool.waitingCount } : null;
}

/** As sqlQuery, for a statement whose affected row count is the answer. */
export async function sqlExecute(db: Db, text: string, params: unknown[] = [], opts: SqlOptions = {}): Promise<number> {
  const result = await poolQuery(db, text, params, opts);
  return result ? (result.rowCount ?? 0) : db.$executeRawUnsafe(text, ...params);
}

/**
 * Several statements in ONE round trip (PostgreSQL's simple query protocol):
 * they run as one implicit transaction, each statement with its own snapshot,
 * so a lock taken by one is held before the next one looks. No parameters
 * there: inline values with sqlLiteral. Returns the last statement's rows.
 * Needs the pooled client (not a transaction client).
 */
export async function sqlScript<S extends z.ZodType>(db: Db, schema: S, statements: string[]): Promise<z.output<S>[]> {
  const entry = pools.get(db);
  if (!entry) throw new Error("sqlScript runs on the pooled client, not inside a transaction");
  const result = (await entry.pool.query(statements.join(";\n"))) as pg.QueryResult | pg.QueryResult[];
  const text = statements.at(-1) ?? "";
  return (Array.isArray(result) ? result.at(-1)! : result).rows.map((row: unknown) => checkedRow(schema, row, text));
}

/** A value as a quoted SQL literal, for sqlScript. */
export function sqlLiteral(value: string | number | Date | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  return pg.escapeLiteral(value instanceof Date ? value.toISOString() : value);
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
    s.once("connect", () => {
      s.end();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export type { EmbeddedServer } from "./embedded-postgres.js";

/**
 * Starts PGlite (PostgreSQL in WebAssembly) in a worker thread and serves it
 * over the wire protocol, so the service uses the same `pg` + Prisma path as
 * with a real server. `dataDir` undefined = in memory (tests). With
 * `socketDir`, listens on a unix socket there (so CLI commands can reach a
 * running service); otherwise on a free loopback port.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir?: string;
  socketDir?: string;
  fromDump?: string;
  recyclable?: boolean;
}): Promise<EmbeddedServer> {
  const server = await startPgliteWorker({
    dataDir: opts.dataDir ? path.resolve(opts.dataDir) : undefined,
    socketDir: opts.socketDir ? path.resolve(opts.socketDir) : undefined,
    fromDump: opts.fromDump,
    recyclable: opts.recyclable,
  });
  let url = server.url;
  embeddedUrls.add(url);
  return {
    get url() {
      return url;
    },
    dump: server.dump,
    async stop() {
      embeddedUrls.delete(url);
      await server.stop();
    },
    async recycle() {
      embeddedUrls.delete(url);
      url = await server.recycle!();
      embeddedUrls.add(url);
      return url;
    },
  };
}

/**
 * Opens the configured database. Without DATABASE_URL: the embedded database
 * in DATA_DIR/pg, served on DATA_DIR/run. If a running service already serves
 * it there (PGlite allows one process per data directory), connects to that.
 */
export async function openDatabase(opts: {
  url?: string;
  dataDir: string;
  logger: Logger;
  poolSize?: number;
}): Promise<Database> {
  if (opts.url) {
    const prisma = createPrisma(opts.url, opts.poolSize);
    return { prisma, url: opts.url, embedded: false, close: () => prisma.$disconnect() };
  }
  const pgDir = path.resolve(opts.dataDir, "pg");
  const socketDir = path.resolve(opts.dataDir, "run");
  const sock = path.join(socketDir, ".s.PGSQL.5432");
  if (existsSync(sock) && (await canConnect(sock))) {
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
    embeddedUrls.add(url);
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
