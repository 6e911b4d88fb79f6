-- AlterTable
ALTER TABLE "Target" ADD COLUMN     "upper" DOUBLE PRECISION;

