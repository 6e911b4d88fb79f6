/**
 * Voice-message audio for the simulator: 8 kHz, 16-bit, mono PCM in a RIFF/WAVE
 * container, the format Twilio serves for `<Record>` media (`.wav`). The signal
 * is a speech-like pattern (voiced "syllables" on a wandering pitch, with pauses
 * and a little noise), deterministic for a seed, so a listening page has
 * something to play and tests can check exact sizes.
 */
export const WAV_SAMPLE_RATE = 8000;
const BYTES_PER_SAMPLE = 2;
const HEADER_BYTES = 44;

/** A tiny seeded PRNG (mulberry32): same seed, same audio. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateVoiceWav(durationSeconds: number, seed = 1): Buffer {
  const samples = Math.max(0, Math.round(durationSeconds * WAV_SAMPLE_RATE));
  const buf = Buffer.alloc(HEADER_BYTES + samples * BYTES_PER_SAMPLE);
  writeHeader(buf, samples);
  const rnd = mulberry32(seed);
  let i = 0;
  let phase = 0;
  while (i < samples) {
    // A syllable of 120–320 ms, then sometimes a pause of 40–400 ms.
    const syllable = Math.round((0.12 + rnd() * 0.2) * WAV_SAMPLE_RATE);
    const pitch = 110 + rnd() * 140;
    const glide = (rnd() - 0.5) * 60;
    for (let k = 0; k < syllable && i < samples; k++, i++) {
      const t = k / syllable;
      const f = pitch + glide * t;
      phase += (2 * Math.PI * f) / WAV_SAMPLE_RATE;
      const envelope = Math.sin(Math.PI * t) ** 2;
      // A fundamental with two harmonics sounds more like a voice than a pure tone.
      const voiced = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase);
      const noise = (rnd() - 0.5) * 0.08;
      buf.writeInt16LE(clamp16((voiced * 0.35 * envelope + noise) * 32767), HEADER_BYTES + i * BYTES_PER_SAMPLE);
    }
    const pause = rnd() < 0.35 ? Math.round((0.04 + rnd() * 0.36) * WAV_SAMPLE_RATE) : 0;
    for (let k = 0; k < pause && i < samples; k++, i++) {
      buf.writeInt16LE(clamp16((rnd() - 0.5) * 0.02 * 32767), HEADER_BYTES + i * BYTES_PER_SAMPLE);
    }
  }
  return buf;
}

function writeHeader(buf: Buffer, samples: number) {
  const dataBytes = samples * BYTES_PER_SAMPLE;
  buf.write("RIFF", 0, "ascii");
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write("WAVE", 8, "ascii");
  buf.write("fmt ", 12, "ascii");
  buf.writeUInt32LE(16, 16); // PCM fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(WAV_SAMPLE_RATE, 24);
  buf.writeUInt32LE(WAV_SAMPLE_RATE * BYTES_PER_SAMPLE, 28); // byte rate
  buf.writeUInt16LE(BYTES_PER_SAMPLE, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write("data", 36, "ascii");
  buf.writeUInt32LE(dataBytes, 40);
}

function clamp16(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}
