/**
 * CPU time of this process's main thread (the service's event loop), for
 * "CPU ms per request" figures that a shared machine does not inflate:
 * event-loop utilisation counts the time the thread was runnable but waiting
 * for a core as busy, the thread's own CPU time does not. Linux: the
 * scheduler's on-CPU nanoseconds for the main thread (/proc/self/task/<pid>/schedstat);
 * elsewhere process.cpuUsage() (whole process, load-generator worker included,
 * so an over-estimate).
 *
 * BENCH_CPU_PROFILE=dir: profileWhile() writes a V8 CPU profile of the main
 * thread covering only the measured run (open it in Chrome DevTools, or sum
 * self time per function).
 */
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Session } from "node:inspector/promises";

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;

/** The main thread's on-CPU and waiting-for-a-core milliseconds so far, from schedstat; null off Linux. */
export function mainThreadSchedstat(): { runMs: number; waitMs: number } | null {
  try {
    const [run, wait] = readFileSync(SCHEDSTAT, "utf8").split(" ").map(Number);
    return { runMs: run / 1e6, waitMs: wait / 1e6 };
  } catch {
    return null;
  }
}

const readSchedstat = (): number | null => mainThreadSchedstat()?.runMs ?? null;

export const cpuSource = readSchedstat() === null ? "process.cpuUsage (whole process)" : "main thread (schedstat)";

/** Milliseconds of CPU the main thread has used so far (see the file comment for non-Linux). */
export function mainThreadCpuMs(): number {
  const ms = readSchedstat();
  if (ms !== null) return ms;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `fn`, and with BENCH_CPU_PROFILE set, writes a CPU profile of its duration named after `label`. */
export async function profileWhile<T>(label: string, fn: () => Promise<T>): Promise<T> {
  if (process.env.BENCH_HEAP_PROFILE) return heapProfileWhile(process.env.BENCH_HEAP_PROFILE, label, fn);
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    writeProfile(dir, label, "cpuprofile", profile);
  }
}

/**
 * BENCH_HEAP_PROFILE=dir: a sampling heap profile of everything the main thread allocated during `fn`,
 * garbage included (what drives the young-generation collections); open it in Chrome DevTools.
 */
async function heapProfileWhile<T>(dir: string, label: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.enable");
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  try {
    return await fn();
  } finally {
    const { profile } = await session.post("HeapProfiler.stopSampling");
    session.disconnect();
    writeProfile(dir, label, "heapprofile", profile);
  }
}

/** Writes a profile as `<dir>/<label>-<time>.<ext>` and says where. */
function writeProfile(dir: string, label: string, ext: "cpuprofile" | "heapprofile", profile: unknown): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${label.replace(/[^\w.-]+/g, "_")}-${Date.now()}.${ext}`);
  writeFileSync(file, JSON.stringify(profile));
  console.error(`${ext === "cpuprofile" ? "cpu" : "heap"} profile: ${file}`);
}
