import { setTimeout as sleep } from "node:timers/promises";
import type { Db } from "../lib/db.js";
import { reserveSlots } from "./repository.js";

/**
 * The account-wide calls-per-second limit, held in total by all instances.
 *
 * Every instance books send slots on one row of DispatchThrottle; slots are
 * spaced by (1000 / cps) × SLOT_SPACING_FACTOR on the database's clock and
 * kept as absolute times, so a slow response never shifts one instance's
 * sends into another's. Hosts are assumed NTP-synchronised with the database
 * server; an NTP-style estimate (the sample with the smallest round trip)
 * corrects only an offset larger than its own uncertainty, which on one host
 * or a synchronised network is none.
 *
 * A send may start at most LATE_TOLERANCE_MS after its slot, and the code
 * between that check and the request leaving (twilio-node building it; ~20 ms
 * on a process's first call, ~1 ms after) gets WIRE_HEADROOM_MS. With slots
 * 4 % wider than 1/cps, cps + 1 requests then always span ≥ 1000 ms:
 * cps × 1040/cps − 20 − 20 = 1000, so no one-second window ever holds more
 * than cps calls, while the mean rate stays 96 % of the limit. A send that
 * would start later (event loop stalled, a GC pause) gives its slot up and
 * books a new one, which only lowers the rate.
 */
export const SLOT_SPACING_FACTOR = 1.04;
const WIRE_HEADROOM_MS = 20;
export const LATE_TOLERANCE_MS = (SLOT_SPACING_FACTOR - 1) * 1000 - WIRE_HEADROOM_MS;
const THROTTLE_KEY = "twilio-calls";
/** A booked slot starts at least this far ahead, so the booking's own round trip cannot make it late. */
const BOOKING_LEAD_MS = 250;
const SAMPLES = 16;

interface OffsetSample {
  offsetMs: number;
  rttMs: number;
}

const samplesByDb = new WeakMap<object, OffsetSample[]>();

function estimateOffset(db: Db, sample: OffsetSample): number {
  const samples = samplesByDb.get(db) ?? [];
  samples.push(sample);
  if (samples.length > SAMPLES) samples.shift();
  samplesByDb.set(db, samples);
  const best = samples.reduce((b, s) => (s.rttMs < b.rttMs ? s : b));
  return Math.abs(best.offsetMs) > best.rttMs / 2 + 1 ? best.offsetMs : 0;
}

export interface SlotBooking {
  /** Local epoch ms at which send i may start. */
  slotAt(i: number): number;
  /** Local epoch ms of the first slot minus now: how far ahead the clock is booked. */
  waitMs: number;
}

/** `key` names the clock: calls by default; the SMS sender books on its own ("twilio-sms"). */
export async function bookSlots(db: Db, cps: number, count: number, key = THROTTLE_KEY): Promise<SlotBooking> {
  const intervalMs = (1000 / cps) * SLOT_SPACING_FACTOR;
  const t0 = Date.now();
  const r = await reserveSlots(db, { key, count, intervalMs, leadMs: BOOKING_LEAD_MS });
  const t1 = Date.now();
  const offset = estimateOffset(db, { offsetMs: r.dbNowMs - (t0 + t1) / 2, rttMs: t1 - t0 });
  const first = r.slotStartMs - offset;
  return { slotAt: (i) => first + i * intervalMs, waitMs: Math.max(0, first - t1) };
}

/** Slots used and given up in this process (bench/dispatch.ts reports them). */
export const slotStats = { used: 0, missed: 0 };

/** Waits for the slot; false when it came too late to use it (see above): book another. */
export async function waitForSlot(slotAtMs: number): Promise<boolean> {
  const wait = slotAtMs - Date.now();
  if (wait > 0) await sleep(wait);
  const onTime = Date.now() - slotAtMs <= LATE_TOLERANCE_MS;
  if (onTime) slotStats.used++;
  else slotStats.missed++;
  return onTime;
}
