-- CreateTable
CREATE TABLE "AnswerInbox" (
    "id" BIGSERIAL NOT NULL,
    "organizationId" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "agentId" UUID NOT NULL,
    "questionKey" TEXT NOT NULL,
    "score" SMALLINT NOT NULL,
    "day" DATE NOT NULL,

    CONSTRAINT "AnswerInbox_pkey" PRIMARY KEY ("id")
);

