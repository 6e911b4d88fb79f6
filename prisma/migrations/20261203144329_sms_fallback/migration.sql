-- CreateTable
CREATE TABLE "SurveySms" (
    "id" UUID NOT NULL,
    "surveyId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'due',
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimToken" UUID,
    "claimedAt" TIMESTAMPTZ(3),
    "messageSid" TEXT,
    "twilioStatus" TEXT,
    "errorCode" TEXT,
    "reason" TEXT,
    "sentAt" TIMESTAMPTZ(3),
    "statusAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SurveySms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundSms" (
    "messageSid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "InboundSms_pkey" PRIMARY KEY ("messageSid")
);

-- CreateIndex
CREATE UNIQUE INDEX "SurveySms_surveyId_key" ON "SurveySms"("surveyId");

-- CreateIndex
CREATE UNIQUE INDEX "SurveySms_messageSid_key" ON "SurveySms"("messageSid");

-- CreateIndex
CREATE INDEX "SurveySms_state_dueAt_idx" ON "SurveySms"("state", "dueAt");

-- CreateIndex
CREATE INDEX "SurveySms_organizationId_sentAt_idx" ON "SurveySms"("organizationId", "sentAt");

-- AddForeignKey
ALTER TABLE "SurveySms" ADD CONSTRAINT "SurveySms_surveyId_fkey" FOREIGN KEY ("surveyId") REFERENCES "SurveyCall"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SurveySms" ADD CONSTRAINT "SurveySms_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

