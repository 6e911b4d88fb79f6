/**
 * HTTP load from a worker thread, so the client has its own event loop and the
 * service under test does not pay for it (a telephony system or Twilio is
 * another machine in real life). Keep-alive sockets, plain node:http.
 *
 * open:   request i is sent at start + i / rate whatever happened before
 *         (latency counted from that scheduled time, so queueing shows);
 * closed: `concurrency` clients each send the next request as soon as their
 *         previous one answered, until the list or the time is used up.
 */
import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";

export interface LoadRequest {
  method?: "POST" | "GET";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  /** Per completed request, ms (from the scheduled time in open mode). */
  latencies: number[];
  /** Requests whose status differed from `okStatus` or whose body failed `okBody`. */
  bad: number;
  errors: number;
  firstProblem: string | null;
  sent: number;
  wallMs: number;
  /** With `trace`: per request index, [scheduled, sent, response end] in ms on the monotonic clock (bench/tail.ts). */
  trace?: [number, number, number][] | null;
}

const WORKER = `
const threads = require("node:worker_threads");
// As a worker thread, or as a child process (input on stdin, result on stdout).
const parentPort = threads.parentPort || { postMessage: (m) => process.stdout.write(JSON.stringify(m), () => process.exit(0)) };
const workerData = threads.workerData || JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const http = require("node:http");
const { port, reqs, mode, rate, concurrency, seconds, okStatus, okBodyStartsWith, badBodyIncludes, trace } = workerData;
// trace: per request [scheduled, sent, done] on the monotonic clock (ms), and an X-Request-Id of its index.
const clock = () => Number(process.hrtime.bigint()) / 1e6;
const traced = trace ? [] : null;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const latencies = []; let bad = 0, errors = 0, done = 0, sent = 0, firstProblem = null;
const start = performance.now() + 50;
const deadline = start + seconds * 1000;
function send(i, from) {
  sent++;
  const r = reqs[i];
  return new Promise((resolve) => {
    const headers = { ...r.headers };
    const t = traced ? [from - performance.now() + clock(), clock(), 0] : null;
    if (t) { traced[i] = t; headers["x-request-id"] = "load-" + i; }
    if (r.body !== undefined) headers["content-length"] = Buffer.byteLength(r.body);
    const req = http.request({ host: "127.0.0.1", port, path: r.path, method: r.method || "POST", agent, headers }, (res) => {
      let body = ""; res.setEncoding("utf8"); res.on("data", (c) => (body += c));
      res.on("end", () => {
        latencies.push(performance.now() - from);
        if (t) t[2] = clock();
        const ok = res.statusCode === okStatus && (!okBodyStartsWith || body.startsWith(okBodyStartsWith)) && !(badBodyIncludes || []).some((s) => body.includes(s));
        if (!ok) { bad++; firstProblem = firstProblem || ("status " + res.statusCode + ": " + body.slice(0, 200)); }
        resolve();
      });
    });
    req.on("error", (e) => { errors++; firstProblem = firstProblem || String(e.message); resolve(); });
    req.end(r.body);
  });
}
const finish = () => parentPort.postMessage({ latencies, bad, errors, firstProblem, sent, wallMs: performance.now() - start, trace: traced });
if (mode === "open") {
  const total = Math.min(reqs.length, Math.floor(rate * seconds));
  let next = 0;
  const inflight = [];
  const timer = setInterval(() => {
    const now = performance.now();
    while (next < total && start + (next * 1000) / rate <= now) { inflight.push(send(next, start + (next * 1000) / rate)); next++; }
    if (next >= total) { clearInterval(timer); Promise.all(inflight).then(finish); }
  }, 1);
} else {
  let next = 0;
  const client = async () => {
    while (next < reqs.length && performance.now() < deadline) { const i = next++; await send(i, performance.now()); }
  };
  setTimeout(() => Promise.all(Array.from({ length: concurrency }, client)).then(finish), 50);
}
`;

export interface LoadOptions {
  port: number;
  reqs: LoadRequest[];
  mode: "open" | "closed";
  rate?: number;
  concurrency?: number;
  seconds: number;
  okStatus?: number;
  okBodyStartsWith?: string;
  badBodyIncludes?: string[];
  /** Record each request's times and send its index as X-Request-Id ("load-<i>"). */
  trace?: boolean;
}

/**
 * BENCH_LOAD=process runs the generator as its own process at the lowest CPU
 * priority (nice 19): Twilio or a telephony system is another machine, and on a
 * 2-core box a client at equal priority takes CPU the service would have. It
 * cannot flatter the result: latency counts from the scheduled send time, so a
 * starved client only adds to it. Default: a worker thread in this process.
 */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const data = { okStatus: 200, rate: 0, concurrency: 1, ...opts };
  if (process.env.BENCH_LOAD === "process") return runLoadProcess(data);
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: data });
    w.once("message", (m: LoadResult) => {
      void w.terminate();
      resolve(m);
    });
    w.once("error", reject);
  });
}

function runLoadProcess(data: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("nice", ["-n", "19", process.execPath, "-e", WORKER], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load process exited with ${code}`)),
    );
    child.stdin.end(JSON.stringify(data));
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export function summarise(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (v: number) => +v.toFixed(1);
  return {
    n: s.length,
    p50: r(pct(s, 50)),
    p90: r(pct(s, 90)),
    p95: r(pct(s, 95)),
    p99: r(pct(s, 99)),
    p999: r(pct(s, 99.9)),
    max: r(s.at(-1) ?? NaN),
  };
}
