-- AlterTable
ALTER TABLE "SurveyCall" ADD COLUMN     "webCompletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "webOpenedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Answer" ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'phone';

-- AlterTable
ALTER TABLE "AnswerInbox" ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'phone';

-- AlterTable
ALTER TABLE "AnswerDaily" DROP CONSTRAINT "AnswerDaily_pkey",
ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'phone',
ADD CONSTRAINT "AnswerDaily_pkey" PRIMARY KEY ("organizationId", "day", "groupId", "agentId", "questionKey", "channel");

-- AlterTable
ALTER TABLE "AnswerMonthly" DROP CONSTRAINT "AnswerMonthly_pkey",
ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'phone',
ADD CONSTRAINT "AnswerMonthly_pkey" PRIMARY KEY ("organizationId", "month", "groupId", "agentId", "questionKey", "channel");

-- AlterTable
ALTER TABLE "AnswerOrgDaily" DROP CONSTRAINT "AnswerOrgDaily_pkey",
ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'phone',
ADD CONSTRAINT "AnswerOrgDaily_pkey" PRIMARY KEY ("organizationId", "day", "questionKey", "channel");

-- AlterTable
ALTER TABLE "AnswerOrgMonthly" DROP CONSTRAINT "AnswerOrgMonthly_pkey",
ADD COLUMN     "channel" TEXT NOT NULL DEFAULT 'phone',
ADD CONSTRAINT "AnswerOrgMonthly_pkey" PRIMARY KEY ("organizationId", "month", "questionKey", "channel");

-- AlterTable
ALTER TABLE "VoiceMessage" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'voice',
ADD COLUMN     "text" TEXT;

