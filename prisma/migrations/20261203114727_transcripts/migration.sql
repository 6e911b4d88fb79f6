-- CreateEnum
CREATE TYPE "TranscriptStatus" AS ENUM ('pending', 'done', 'failed', 'skipped');

-- CreateTable
CREATE TABLE "Transcript" (
    "id" UUID NOT NULL,
    "voiceMessageId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "status" "TranscriptStatus" NOT NULL DEFAULT 'pending',
    "text" TEXT,
    "segments" JSONB,
    "language" TEXT,
    "model" TEXT,
    "masked" BOOLEAN NOT NULL DEFAULT true,
    "correctedText" TEXT,
    "correctedById" UUID,
    "correctedAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "claimedUntil" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "transcribedAt" TIMESTAMPTZ(3),
    "searchVector" tsvector,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Transcript_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClassificationRuleSet" (
    "organizationId" UUID NOT NULL,
    "rules" JSONB NOT NULL,
    "updatedById" UUID,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ClassificationRuleSet_pkey" PRIMARY KEY ("organizationId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Transcript_voiceMessageId_key" ON "Transcript"("voiceMessageId");

-- CreateIndex
CREATE INDEX "Transcript_status_nextAttemptAt_idx" ON "Transcript"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Transcript_organizationId_status_idx" ON "Transcript"("organizationId", "status");

-- CreateIndex
CREATE INDEX "Transcript_searchVector_idx" ON "Transcript" USING GIN ("searchVector");

-- AddForeignKey
ALTER TABLE "Transcript" ADD CONSTRAINT "Transcript_voiceMessageId_fkey" FOREIGN KEY ("voiceMessageId") REFERENCES "VoiceMessage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

