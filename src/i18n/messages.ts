import type { sv } from "./sv/index.js";

/**
 * The shape of a catalogue is the Swedish one's: the English catalogue is
 * typed with it, so tsc fails when English lacks a key or a message's
 * parameters differ.
 */
export type Messages = typeof sv;
