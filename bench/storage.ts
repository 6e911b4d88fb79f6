/**
 * Voice-message storage: storing a 2-minute message (8 kHz 16-bit WAV, 1.92 MB, the larger of
 * the two formats) encrypted in PostgreSQL and in S3-compatible storage, then 20 concurrent
 * plays through HTTP with Range, as the player does: each play reads `bytes=0-` to the end, then
 * seeks three times (a 64 KiB range at a random offset). Throughput and the service process's
 * memory (RSS and heap sampled every 10 ms) during the plays; repeated with a 10-minute message
 * to show memory does not follow the message's size. Run with --expose-gc for a settled baseline:
 *
 *   node --expose-gc node_modules/.bin/tsx bench/storage.ts
 *
 *   npx tsx bench/storage.ts [--backends postgres,s3,local] [--plays 20] [--rounds 3]
 *
 * PostgreSQL: a fresh database on 127.0.0.1:5432 (dropped afterwards). S3: s3rver in a child
 * process on loopback (so its memory is not counted here). The HTTP handler is the real Range
 * parser and RecordingStorage.get piped to the response, without the review page's sign-in and
 * audit queries (bench/queue.ts measures those). Clients run in this process and discard bytes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import pg from "pg";
import { createPrisma, type Prisma } from "../src/lib/db.js";
import { migrate } from "../src/lib/migrate.js";
import { createAudioKeyring } from "../src/recordings/audio-crypto.js";
import { createLocalBlobStore } from "../src/recordings/local-storage.js";
import { createPostgresBlobStore } from "../src/recordings/pg-storage.js";
import { createS3BlobStore } from "../src/recordings/s3-storage.js";
import { createEncryptedStorage, type BlobStore, type RecordingStorage } from "../src/recordings/storage.js";
import { parseRange } from "../src/review/range.js";
import { generateVoiceWav } from "../src/telephony/simulator/wav.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const BACKENDS = arg("backends", "postgres,s3,local").split(",");
const PLAYS = Number(arg("plays", "20"));
const ROUNDS = Number(arg("rounds", "3"));
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const MB = 1024 * 1024;

function serve(storage: RecordingStorage): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const key = decodeURIComponent((req.url ?? "/").slice(1));
      const size = await storage.size(key);
      if (size === null) return void res.writeHead(404).end();
      const range = parseRange(req.headers.range, size);
      if (range.kind === "unsatisfiable") return void res.writeHead(416).end();
      const start = range.kind === "partial" ? range.start : 0;
      const end = range.kind === "partial" ? range.end : size - 1;
      const body = await storage.get(key, { start, end });
      res.writeHead(range.kind === "partial" ? 206 : 200, {
        "Content-Type": "audio/wav",
        "Content-Length": String(end - start + 1),
        ...(range.kind === "partial" ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
      });
      await pipeline(body, res);
    })().catch((err: unknown) => {
      console.error(err);
      res.destroy();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function fetchBytes(url: string, range: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { range } }, (res) => {
        let n = 0;
        res.on("data", (d: Buffer) => (n += d.length));
        res.on("end", () => (res.statusCode === 206 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

async function play(url: string, size: number): Promise<number> {
  let bytes = await fetchBytes(url, "bytes=0-");
  for (let i = 0; i < 3; i++) {
    const at = Math.floor(Math.random() * (size - 65_536));
    bytes += await fetchBytes(url, `bytes=${at}-${at + 65_535}`);
  }
  return bytes;
}

async function measure(storage: RecordingStorage, audio: Buffer, label: string) {
  const key = `bench/${randomBytes(6).toString("hex")}.wav`;
  const putMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await storage.put(key, Readable.from([audio]), "audio/wav");
    putMs.push(performance.now() - t);
  }
  const srv = await serve(storage);
  const url = `${srv.url}/${encodeURIComponent(key)}`;
  await play(url, audio.length); // warm-up
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed + base.arrayBuffers;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
  }, 10);
  const t = performance.now();
  let bytes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const got = await Promise.all(Array.from({ length: PLAYS }, () => play(url, audio.length)));
    bytes += got.reduce((a, b) => a + b, 0);
  }
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  await srv.close();
  await storage.delete(key);
  putMs.sort((a, b) => a - b);
  return {
    label,
    storeMs: putMs[Math.floor(putMs.length / 2)],
    storeMBs: audio.length / MB / (putMs[Math.floor(putMs.length / 2)] / 1000),
    playMBs: bytes / MB / seconds,
    playsPerSecond: (ROUNDS * PLAYS) / seconds,
    rssBefore: base.rss / MB,
    rssPeakDelta: (peakRss - base.rss) / MB,
    heapPeakDelta: (peakHeap - base.heapUsed - base.arrayBuffers) / MB,
  };
}

async function startS3(): Promise<{ blobs: BlobStore; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-s3-"));
  const port = 40_000 + Math.floor(Math.random() * 10_000);
  const child: ChildProcess = spawn(
    process.execPath,
    ["node_modules/s3rver/bin/s3rver.js", "-d", dir, "-a", "127.0.0.1", "-p", String(port), "--silent"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
    child.once("exit", () => reject(new Error("s3rver exited")));
  });
  const opts = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: "bench-voice",
    region: "eu-north-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
  };
  const admin = new S3Client({ ...opts, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  await admin.send(new CreateBucketCommand({ Bucket: opts.bucket }));
  admin.destroy();
  const blobs = createS3BlobStore(opts);
  return {
    blobs,
    async stop() {
      await blobs.close?.();
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const keyring = createAudioKeyring(randomBytes(32));
  const twoMinutes = generateVoiceWav(120, 3);
  const tenMinutes = generateVoiceWav(600, 4);
  const rows: Awaited<ReturnType<typeof measure>>[] = [];
  for (const backend of BACKENDS) {
    let blobs: BlobStore;
    let stop: () => Promise<void>;
    if (backend === "postgres") {
      const name = `nki_bench_storage_${randomBytes(4).toString("hex")}`;
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const u = new URL(ADMIN_URL);
      u.pathname = `/${name}`;
      await migrate(u.toString());
      const prisma: Prisma = createPrisma(u.toString(), 10);
      await prisma.audioObject.count();
      blobs = createPostgresBlobStore(prisma);
      stop = async () => {
        await prisma.$disconnect();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      };
    } else if (backend === "s3") {
      const s3 = await startS3();
      blobs = s3.blobs;
      stop = s3.stop;
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), "bench-local-"));
      blobs = createLocalBlobStore(dir);
      stop = async () => rmSync(dir, { recursive: true, force: true });
    }
    const storage = createEncryptedStorage(blobs, keyring);
    try {
      rows.push(await measure(storage, twoMinutes, `${backend} 2 min (1.9 MB)`));
      rows.push(await measure(storage, tenMinutes, `${backend} 10 min (9.6 MB)`));
    } finally {
      await stop();
    }
  }
  console.log(
    `\n${PLAYS} concurrent plays x ${ROUNDS} rounds; each play = whole message + three 64 KiB seeks\n` +
      "| storage, message | store (median) | play throughput | plays/s | RSS before | RSS peak +, during plays | heap + buffers peak + |\n" +
      "|---|---|---|---|---|---|---|",
  );
  for (const r of rows)
    console.log(
      `| ${r.label} | ${r.storeMs.toFixed(0)} ms (${r.storeMBs.toFixed(1)} MB/s) | ${r.playMBs.toFixed(1)} MB/s | ${r.playsPerSecond.toFixed(1)} | ${r.rssBefore.toFixed(0)} MB | ${r.rssPeakDelta.toFixed(1)} MB | ${r.heapPeakDelta.toFixed(1)} MB |`,
    );
  agent.destroy();
}

await main();
