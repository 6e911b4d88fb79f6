/**
 * CPU cost of checking one raw row with its statement's zod schema (src/lib/db.ts sqlRows):
 * the survey turn's 12 columns (the schema loadSurveyTurn uses), parsed 200,000 times after a warm-up.
 *
 *   npx tsx bench/row-check.ts
 */
import { surveyTurnRow as row } from "../src/survey/repository.js";

const sample = {
  id: "5b0c6f7e-1c9a-4d7e-9a57-0c2f0e1a2b3c",
  state: "in_progress",
  progress: { step: "bemotande", try: 0 },
  flowId: "nki-sv",
  flowVersion: "1",
  organizationId: "7d3f0c1e-0000-4000-8000-000000000001",
  groupId: "7d3f0c1e-0000-4000-8000-000000000002",
  agentId: "7d3f0c1e-0000-4000-8000-000000000003",
  answeredBy: null,
  organizationName: "Exempelby kommun",
  privacyInfo: null,
  timeZone: "Europe/Stockholm",
};
for (let i = 0; i < 20_000; i++) row.parse(sample);
const N = 200_000;
const before = process.cpuUsage();
for (let i = 0; i < N; i++) row.parse(sample);
const used = process.cpuUsage(before);
console.log(`row check: ${((used.user + used.system) / N).toFixed(2)} µs CPU per row (${N} rows)`);
