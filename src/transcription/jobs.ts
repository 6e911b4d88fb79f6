import type { Job } from "../jobs/index.js";
import { applyTranscriptRetention } from "./retention.js";
import { runTranscriptionTick } from "./worker.js";

export const transcriptionJobs: Job[] = [
  // Does nothing unless a transcriber is configured.
  {
    id: "transcription.run",
    schedule: "*/5 * * * * *",
    handler: async (ctx) => void (await runTranscriptionTick(ctx)),
  },
  // After retention's hourly audio purge (:17): transcripts follow their audio.
  {
    id: "transcription.retention",
    schedule: "0 27 * * * *",
    handler: async (ctx) => void (await applyTranscriptRetention(ctx)),
  },
];
