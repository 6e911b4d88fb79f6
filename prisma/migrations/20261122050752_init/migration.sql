-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SurveyState" AS ENUM ('scheduled', 'dialling', 'in_progress', 'completed', 'partial', 'no_answer', 'machine', 'failed', 'opted_out', 'expired', 'canceled');

-- CreateEnum
CREATE TYPE "VoiceMessageState" AS ENUM ('pending', 'stored', 'discarded', 'purged');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'manager', 'agent');

-- CreateTable
CREATE TABLE "Organization" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'Europe/Stockholm',
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnswerGroup" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AnswerGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Agent" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CompletedCall" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "externalCallId" TEXT NOT NULL,
    "callerNumberEnc" BYTEA,
    "callerHash" TEXT,
    "agentId" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "queueSeconds" INTEGER NOT NULL,
    "talkSeconds" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "endedAt" TIMESTAMPTZ(3) NOT NULL,
    "language" TEXT,
    "decision" TEXT NOT NULL,
    "skipReason" TEXT,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CompletedCall_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyCall" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "completedCallId" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "state" "SurveyState" NOT NULL DEFAULT 'scheduled',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "flowId" TEXT NOT NULL,
    "flowVersion" TEXT,
    "language" TEXT,
    "callSid" TEXT,
    "claimedBy" TEXT,
    "claimedAt" TIMESTAMPTZ(3),
    "answeredBy" TEXT,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "outcome" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "startedAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SurveyCall_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyEvent" (
    "id" BIGSERIAL NOT NULL,
    "surveyId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT,
    "callSid" TEXT,
    "detail" JSONB,

    CONSTRAINT "SurveyEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Answer" (
    "id" BIGSERIAL NOT NULL,
    "surveyId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "flowId" TEXT NOT NULL,
    "flowVersion" TEXT NOT NULL,
    "questionKey" TEXT NOT NULL,
    "score" SMALLINT NOT NULL,
    "answeredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Answer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnswerDaily" (
    "organizationId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "groupId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "questionKey" TEXT NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    "sum" INTEGER NOT NULL DEFAULT 0,
    "sumSq" INTEGER NOT NULL DEFAULT 0,
    "c1" INTEGER NOT NULL DEFAULT 0,
    "c2" INTEGER NOT NULL DEFAULT 0,
    "c3" INTEGER NOT NULL DEFAULT 0,
    "c4" INTEGER NOT NULL DEFAULT 0,
    "c5" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AnswerDaily_pkey" PRIMARY KEY ("organizationId","day","groupId","agentId","questionKey")
);

-- CreateTable
CREATE TABLE "AnswerMonthly" (
    "organizationId" UUID NOT NULL,
    "month" DATE NOT NULL,
    "groupId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "questionKey" TEXT NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    "c1" INTEGER NOT NULL DEFAULT 0,
    "c2" INTEGER NOT NULL DEFAULT 0,
    "c3" INTEGER NOT NULL DEFAULT 0,
    "c4" INTEGER NOT NULL DEFAULT 0,
    "c5" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AnswerMonthly_pkey" PRIMARY KEY ("organizationId","month","groupId","agentId","questionKey")
);

-- CreateTable
CREATE TABLE "AnswerOrgDaily" (
    "organizationId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "questionKey" TEXT NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    "c1" INTEGER NOT NULL DEFAULT 0,
    "c2" INTEGER NOT NULL DEFAULT 0,
    "c3" INTEGER NOT NULL DEFAULT 0,
    "c4" INTEGER NOT NULL DEFAULT 0,
    "c5" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AnswerOrgDaily_pkey" PRIMARY KEY ("organizationId","day","questionKey")
);

-- CreateTable
CREATE TABLE "AnswerOrgMonthly" (
    "organizationId" UUID NOT NULL,
    "month" DATE NOT NULL,
    "questionKey" TEXT NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    "c1" INTEGER NOT NULL DEFAULT 0,
    "c2" INTEGER NOT NULL DEFAULT 0,
    "c3" INTEGER NOT NULL DEFAULT 0,
    "c4" INTEGER NOT NULL DEFAULT 0,
    "c5" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AnswerOrgMonthly_pkey" PRIMARY KEY ("organizationId","month","questionKey")
);

-- CreateTable
CREATE TABLE "VoiceMessage" (
    "id" UUID NOT NULL,
    "surveyId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "recordingSid" TEXT NOT NULL,
    "recordingUrl" TEXT,
    "state" "VoiceMessageState" NOT NULL DEFAULT 'pending',
    "storageKey" TEXT,
    "contentType" TEXT,
    "durationSeconds" INTEGER NOT NULL,
    "sizeBytes" INTEGER,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL,
    "downloadAttempts" INTEGER NOT NULL DEFAULT 0,
    "nextDownloadAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "deletedAtTwilio" TIMESTAMPTZ(3),
    "listenedAt" TIMESTAMPTZ(3),
    "classification" TEXT,
    "forvaltning" TEXT,
    "note" TEXT,
    "caseReference" TEXT,
    "registeredAt" TIMESTAMPTZ(3),
    "reviewedById" UUID,
    "reviewedAt" TIMESTAMPTZ(3),
    "audioPurgedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "VoiceMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OptOut" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "numberHash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OptOut_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Target" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "questionKey" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "validFrom" DATE NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Target_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT,
    "role" "Role" NOT NULL,
    "agentId" UUID,
    "oidcSubject" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMPTZ(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "organizationId" UUID NOT NULL,
    "actorUserId" UUID,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "detail" JSONB,
    "ip" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DispatchThrottle" (
    "key" TEXT NOT NULL,
    "nextSlotAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DispatchThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_slug_key" ON "Organization"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "AnswerGroup_organizationId_key_key" ON "AnswerGroup"("organizationId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "Agent_organizationId_externalId_key" ON "Agent"("organizationId", "externalId");

-- CreateIndex
CREATE INDEX "CompletedCall_organizationId_callerHash_receivedAt_idx" ON "CompletedCall"("organizationId", "callerHash", "receivedAt");

-- CreateIndex
CREATE INDEX "CompletedCall_organizationId_receivedAt_idx" ON "CompletedCall"("organizationId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CompletedCall_organizationId_externalCallId_key" ON "CompletedCall"("organizationId", "externalCallId");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyCall_completedCallId_key" ON "SurveyCall"("completedCallId");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyCall_callSid_key" ON "SurveyCall"("callSid");

-- CreateIndex
CREATE INDEX "SurveyCall_state_nextAttemptAt_idx" ON "SurveyCall"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "SurveyCall_state_claimedAt_idx" ON "SurveyCall"("state", "claimedAt");

-- CreateIndex
CREATE INDEX "SurveyCall_organizationId_createdAt_idx" ON "SurveyCall"("organizationId", "createdAt");

-- CreateIndex
CREATE INDEX "SurveyEvent_surveyId_at_idx" ON "SurveyEvent"("surveyId", "at");

-- CreateIndex
CREATE INDEX "Answer_organizationId_answeredAt_idx" ON "Answer"("organizationId", "answeredAt");

-- CreateIndex
CREATE INDEX "Answer_organizationId_groupId_answeredAt_idx" ON "Answer"("organizationId", "groupId", "answeredAt");

-- CreateIndex
CREATE INDEX "Answer_organizationId_agentId_answeredAt_idx" ON "Answer"("organizationId", "agentId", "answeredAt");

-- CreateIndex
CREATE UNIQUE INDEX "Answer_surveyId_questionKey_key" ON "Answer"("surveyId", "questionKey");

-- CreateIndex
CREATE INDEX "AnswerDaily_organizationId_agentId_day_idx" ON "AnswerDaily"("organizationId", "agentId", "day");

-- CreateIndex
CREATE INDEX "AnswerDaily_organizationId_groupId_day_idx" ON "AnswerDaily"("organizationId", "groupId", "day");

-- CreateIndex
CREATE INDEX "AnswerDaily_questionKey_day_idx" ON "AnswerDaily"("questionKey", "day");

-- CreateIndex
CREATE INDEX "AnswerMonthly_organizationId_agentId_month_idx" ON "AnswerMonthly"("organizationId", "agentId", "month");

-- CreateIndex
CREATE INDEX "AnswerMonthly_organizationId_groupId_month_idx" ON "AnswerMonthly"("organizationId", "groupId", "month");

-- CreateIndex
CREATE INDEX "AnswerOrgDaily_day_idx" ON "AnswerOrgDaily"("day");

-- CreateIndex
CREATE INDEX "AnswerOrgMonthly_month_idx" ON "AnswerOrgMonthly"("month");

-- CreateIndex
CREATE UNIQUE INDEX "VoiceMessage_surveyId_key" ON "VoiceMessage"("surveyId");

-- CreateIndex
CREATE UNIQUE INDEX "VoiceMessage_recordingSid_key" ON "VoiceMessage"("recordingSid");

-- CreateIndex
CREATE INDEX "VoiceMessage_organizationId_recordedAt_idx" ON "VoiceMessage"("organizationId", "recordedAt");

-- CreateIndex
CREATE INDEX "VoiceMessage_state_nextDownloadAt_idx" ON "VoiceMessage"("state", "nextDownloadAt");

-- CreateIndex
CREATE INDEX "VoiceMessage_organizationId_reviewedAt_recordedAt_idx" ON "VoiceMessage"("organizationId", "reviewedAt", "recordedAt");

-- CreateIndex
CREATE UNIQUE INDEX "OptOut_organizationId_numberHash_key" ON "OptOut"("organizationId", "numberHash");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "Target_organizationId_questionKey_metric_validFrom_key" ON "Target"("organizationId", "questionKey", "metric", "validFrom");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "User_oidcSubject_key" ON "User"("oidcSubject");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateIndex
CREATE INDEX "AuditEvent_organizationId_at_idx" ON "AuditEvent"("organizationId", "at");

-- AddForeignKey
ALTER TABLE "AnswerGroup" ADD CONSTRAINT "AnswerGroup_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Agent" ADD CONSTRAINT "Agent_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompletedCall" ADD CONSTRAINT "CompletedCall_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompletedCall" ADD CONSTRAINT "CompletedCall_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompletedCall" ADD CONSTRAINT "CompletedCall_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "AnswerGroup"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyCall" ADD CONSTRAINT "SurveyCall_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyCall" ADD CONSTRAINT "SurveyCall_completedCallId_fkey" FOREIGN KEY ("completedCallId") REFERENCES "CompletedCall"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyCall" ADD CONSTRAINT "SurveyCall_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "AnswerGroup"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyCall" ADD CONSTRAINT "SurveyCall_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveyEvent" ADD CONSTRAINT "SurveyEvent_surveyId_fkey" FOREIGN KEY ("surveyId") REFERENCES "SurveyCall"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Answer" ADD CONSTRAINT "Answer_surveyId_fkey" FOREIGN KEY ("surveyId") REFERENCES "SurveyCall"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Answer" ADD CONSTRAINT "Answer_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Answer" ADD CONSTRAINT "Answer_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "AnswerGroup"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Answer" ADD CONSTRAINT "Answer_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoiceMessage" ADD CONSTRAINT "VoiceMessage_surveyId_fkey" FOREIGN KEY ("surveyId") REFERENCES "SurveyCall"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoiceMessage" ADD CONSTRAINT "VoiceMessage_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoiceMessage" ADD CONSTRAINT "VoiceMessage_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "AnswerGroup"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoiceMessage" ADD CONSTRAINT "VoiceMessage_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VoiceMessage" ADD CONSTRAINT "VoiceMessage_reviewedById_fkey" FOREIGN KEY ("reviewedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OptOut" ADD CONSTRAINT "OptOut_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Target" ADD CONSTRAINT "Target_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_actorUserId_fkey" FOREIGN KEY ("actorUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

