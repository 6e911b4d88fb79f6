/**
 * Where a benchmark's slow requests spend their time (BENCH_TAIL=1 in bench/twiml.ts).
 *
 * Every time is on the monotonic clock (process.hrtime), which the load
 * generator's worker thread shares. Per request, from the generator
 * (bench/load.ts, `trace`): scheduled, sent, response end; from the server:
 * arrival (the 'request' event, after the headers were parsed), the database
 * statement (asked of the pool, sent on a connection, its result back in JS),
 * and 'finish' (response handed to the kernel). Beside them, for the service's
 * main thread: V8 garbage collections (perf_hooks 'gc' entries) and stalls of
 * its event loop (a 1-ms timer that fired late), each with how much of the
 * stall the thread spent on a CPU and how much runnable but waiting for one
 * (/proc/self/task/<pid>/schedstat). `explain()` splits the slowest 1 % into
 * those phases and says what overlapped them.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mainThreadSchedstat } from "./cpu.js";
import http from "node:http";
import { PerformanceObserver, performance } from "node:perf_hooks";
import type { RequestListener } from "node:http";
import pg from "pg";

export const clock = () => Number(process.hrtime.bigint()) / 1e6;

interface ServerSide {
  arrive: number;
  poolAsk?: number;
  sent?: number;
  back?: number;
  finish?: number;
}

interface Interval {
  start: number;
  end: number;
  what: string;
  cpu?: number;
  wait?: number;
}

function schedstat(): [number, number] {
  const s = mainThreadSchedstat();
  return s ? [s.runMs, s.waitMs] : [0, 0];
}

const als = new AsyncLocalStorage<ServerSide>();
let patched = false;

/** Times the statement of the request it runs for: pool.query asked, client.query sent, result back. */
function patchPg() {
  if (patched) return;
  patched = true;
  const poolQuery = pg.Pool.prototype.query;
  pg.Pool.prototype.query = function (this: pg.Pool, ...args: unknown[]) {
    const rec = als.getStore();
    if (rec && rec.poolAsk === undefined) rec.poolAsk = clock();
    return (poolQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Pool.prototype.query;
  const clientQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const rec = als.getStore();
    if (rec && rec.sent === undefined) {
      rec.sent = clock();
      const cb = args.at(-1);
      if (typeof cb === "function")
        args[args.length - 1] = (...r: unknown[]) => {
          rec.back = clock();
          return (cb as (...a: unknown[]) => unknown)(...r);
        };
    }
    return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
}

export interface Tracer {
  server: http.Server;
  /** Forget what was recorded (between slices). */
  reset(): void;
  stop(): void;
  explain(label: string, trace: [number, number, number][]): void;
}

/** An http.Server for `app` that records each request's times, and the main thread's GCs and stalls. */
export function tracedServer(app: RequestListener): Tracer {
  patchPg();
  let byId = new Map<string, ServerSide>();
  let intervals: Interval[] = [];
  const server = http.createServer((req, res) => {
    const id = req.headers["x-request-id"];
    const rec: ServerSide = { arrive: clock() };
    if (typeof id === "string") byId.set(id, rec);
    res.on("finish", () => (rec.finish = clock()));
    als.run(rec, () => app(req, res));
  });
  // GC entries are on the performance timeline: shift them onto the monotonic clock.
  const offset = clock() - performance.now();
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      const name = { 1: "scavenge", 2: "mark-compact", 4: "incremental", 8: "weak-cb", 16: "minor-mc" }[kind ?? 0];
      intervals.push({
        start: e.startTime + offset,
        end: e.startTime + offset + e.duration,
        what: `gc ${name ?? kind}`,
      });
    }
  });
  gc.observe({ entryTypes: ["gc"] });
  let last = clock();
  let [run0, wait0] = schedstat();
  const timer = setInterval(() => {
    const now = clock();
    const [run, wait] = schedstat();
    if (now - last > 4)
      intervals.push({ start: last, end: now, what: "loop stall", cpu: run - run0, wait: wait - wait0 });
    last = now;
    run0 = run;
    wait0 = wait;
  }, 1);
  return {
    server,
    reset() {
      byId = new Map();
      intervals = [];
    },
    stop() {
      clearInterval(timer);
      gc.disconnect();
    },
    explain(label, trace) {
      const rows = trace
        .map(([scheduled, sent, done], i) => ({ i, scheduled, sent, done, s: byId.get(`load-${i}`) }))
        .filter((r) => r.done > 0);
      const total = (r: (typeof rows)[number]) => r.done - r.scheduled;
      const sorted = [...rows].sort((a, b) => total(b) - total(a));
      const slow = sorted.slice(0, Math.max(1, Math.floor(rows.length / 100)));
      const phases = (r: (typeof rows)[number]) => {
        const s = r.s;
        const dbAsk = s?.poolAsk ?? s?.sent;
        return {
          late: r.sent - r.scheduled,
          toServer: s ? s.arrive - r.sent : NaN,
          beforeDb: s && dbAsk ? dbAsk - s.arrive : NaN,
          poolWait: s?.poolAsk && s.sent ? s.sent - s.poolAsk : 0,
          db: s?.sent && s.back ? s.back - s.sent : NaN,
          afterDb: s?.back && s.finish ? s.finish - s.back : NaN,
          toClient: s?.finish ? r.done - s.finish : NaN,
        };
      };
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const keys = ["late", "toServer", "beforeDb", "poolWait", "db", "afterDb", "toClient"] as const;
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const all = rows.map(phases);
      const sl = slow.map(phases);
      const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "-");
      console.error(
        `\n[tail] ${label}: ${rows.length} requests; slowest ${slow.length} (≥ ${fmt(total(slow.at(-1)!))} ms), mean ms per phase (all requests' median in brackets):`,
      );
      console.error(
        "  " +
          keys
            .map(
              (k) =>
                `${k} ${fmt(mean(sl.map((p) => p[k]).filter(Number.isFinite)))} (${fmt(median(all.map((p) => p[k]).filter(Number.isFinite)))})`,
            )
            .join(" | "),
      );
      // What overlapped each slow request's life on the service's main thread.
      const overlap = (a: number, b: number, what: (x: Interval) => boolean) =>
        intervals.filter(what).reduce((acc, x) => acc + Math.max(0, Math.min(b, x.end) - Math.max(a, x.start)), 0);
      const sum = (f: (r: (typeof slow)[number]) => number) => mean(slow.map(f));
      console.error(
        `  overlapped, mean ms per slow request: gc ${fmt(sum((r) => overlap(r.scheduled, r.done, (x) => x.what.startsWith("gc"))))}` +
          ` | main-thread loop stalls > 4 ms ${fmt(sum((r) => overlap(r.scheduled, r.done, (x) => x.what === "loop stall")))}`,
      );
      const stalls = intervals.filter((x) => x.what === "loop stall");
      const gcs = intervals.filter((x) => x.what.startsWith("gc"));
      const gcMs = gcs.reduce((a, x) => a + x.end - x.start, 0);
      const stallMs = stalls.reduce((a, x) => a + x.end - x.start, 0);
      const stallCpu = stalls.reduce((a, x) => a + (x.cpu ?? 0), 0);
      const stallWait = stalls.reduce((a, x) => a + (x.wait ?? 0), 0);
      const longGc = gcs.filter((x) => x.end - x.start > 4).length;
      const byKind = new Map<string, [number, number]>();
      for (const x of gcs) {
        const k = byKind.get(x.what) ?? [0, 0];
        byKind.set(x.what, [k[0] + 1, k[1] + x.end - x.start]);
      }
      console.error(
        `  main thread over the run: ${gcs.length} GCs, ${fmt(gcMs)} ms (${longGc} over 4 ms, longest ${fmt(Math.max(0, ...gcs.map((x) => x.end - x.start)))} ms: ${[...byKind].map(([k, [n, ms]]) => `${k} ${n}× ${fmt(ms)} ms`).join(", ")});` +
          ` ${stalls.length} loop stalls > 4 ms, ${fmt(stallMs)} ms in all: on CPU ${fmt(stallCpu)}, runnable waiting for a core ${fmt(stallWait)}, the rest blocked/idle`,
      );
      for (const r of slow.slice(0, 8)) {
        const p = phases(r);
        const near = intervals
          .filter((x) => x.end > r.scheduled && x.start < r.done)
          .map(
            (x) =>
              `${x.what} ${fmt(x.end - x.start)}${x.cpu !== undefined ? ` (cpu ${fmt(x.cpu)}, wait ${fmt(x.wait!)})` : ""} @${fmt(x.start - r.scheduled)}`,
          )
          .join(", ");
        console.error(
          `  #${r.i} at ${(r.scheduled / 1000).toFixed(3)} s ${fmt(total(r))} ms: ${keys.map((k) => `${k} ${fmt(p[k])}`).join(" ")}${near ? ` | ${near}` : ""}`,
        );
      }
    },
  };
}
