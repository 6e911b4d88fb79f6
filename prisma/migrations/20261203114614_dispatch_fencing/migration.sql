-- AlterTable
ALTER TABLE "SurveyCall" ADD COLUMN     "claimLeaseUntil" TIMESTAMPTZ(3),
ADD COLUMN     "claimToken" UUID,
ADD COLUMN     "sendingAt" TIMESTAMPTZ(3);

