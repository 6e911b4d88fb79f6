-- Transcript search without reading every match's message (bench/RESULTS.md, transcription).

-- The review's note and case reference as a vector PostgreSQL keeps current itself, so search
-- finds them through a GIN index instead of parsing every note on every query. "<", ">" and "/"
-- become control characters the parser treats as blanks ("KS 2026/1234" is two words), as in
-- src/transcription/search.ts; schema.prisma declares the column as Unsupported("tsvector").
-- AlterTable
ALTER TABLE "VoiceMessage" ADD COLUMN "reviewVector" tsvector GENERATED ALWAYS AS (
    CASE WHEN "note" IS NOT NULL OR "caseReference" IS NOT NULL THEN
        to_tsvector('swedish'::regconfig,
            translate(COALESCE("note", '') || ' ' || COALESCE("caseReference", ''), E'\x01\x02<>/', E'  \x03\x04\x05'))
    END) STORED;

-- The message's recording time on its transcript (it never changes): search filters by week and
-- breaks rank ties with it without a join per match.
-- AlterTable
ALTER TABLE "Transcript" ADD COLUMN "recordedAt" TIMESTAMPTZ(3);
UPDATE "Transcript" t SET "recordedAt" = vm."recordedAt" FROM "VoiceMessage" vm WHERE vm."id" = t."voiceMessageId";
ALTER TABLE "Transcript" ALTER COLUMN "recordedAt" SET NOT NULL;

-- CreateIndex
CREATE INDEX "VoiceMessage_reviewVector_idx" ON "VoiceMessage" USING GIN ("reviewVector");

-- CreateIndex
CREATE INDEX "Transcript_organizationId_recordedAt_idx" ON "Transcript"("organizationId", "recordedAt");
