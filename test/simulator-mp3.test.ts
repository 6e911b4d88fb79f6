import { describe, expect, it } from "vitest";
import { generateVoiceMp3, MP3_CLIP_SECONDS } from "../src/telephony/simulator/mp3.js";

/** MPEG-2.5 Layer III bit rates (kbit/s) by index, and the frame length rule for it. */
const BITRATES = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/** Walks an MP3 frame by frame; throws unless every frame is well-formed and they end exactly at the end. */
function frames(buf: Buffer): { count: number; sampleRate: number; firstMainDataBegin: number[] } {
  let at = 0;
  let count = 0;
  const firstMainDataBegin: number[] = [];
  while (at < buf.length) {
    const h = buf.readUInt32BE(at);
    if (h >>> 21 !== 0x7ff) throw new Error(`no frame sync at byte ${at}`);
    const version = (h >>> 19) & 3; // 0 = MPEG 2.5
    const layer = (h >>> 17) & 3; // 1 = Layer III
    const bitrate = BITRATES[(h >>> 12) & 15];
    const rate = [11025, 12000, 8000][(h >>> 10) & 3];
    const padding = (h >>> 9) & 1;
    if (version !== 0 || layer !== 1 || !bitrate || !rate) throw new Error(`unexpected header at byte ${at}`);
    if (count % 33 === 0) firstMainDataBegin.push(buf[at + 4]);
    at += Math.floor((72 * bitrate * 1000) / rate) + padding;
    count++;
  }
  if (at !== buf.length) throw new Error("last frame runs past the end");
  return { count, sampleRate: 8000, firstMainDataBegin };
}

describe("the simulator's MP3", () => {
  it("is a valid MPEG-2.5 Layer III stream of at least the recording's length, clip after clip", () => {
    const mp3 = generateVoiceMp3(10);
    const f = frames(mp3);
    const seconds = (f.count * 576) / f.sampleRate;
    expect(seconds).toBeGreaterThanOrEqual(10);
    expect(seconds).toBeLessThan(10 + MP3_CLIP_SECONDS);
    // Each repeated clip starts without the bit reservoir, so the joins decode cleanly.
    expect(f.firstMainDataBegin.every((b) => b === 0)).toBe(true);
    expect(generateVoiceMp3(0).length).toBeGreaterThan(0);
  });
});
