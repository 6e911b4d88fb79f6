-- CreateTable
CREATE TABLE "AudioObject" (
    "key" TEXT NOT NULL,
    "objectId" UUID NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AudioObject_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "AudioChunk" (
    "objectId" UUID NOT NULL,
    "idx" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "AudioChunk_pkey" PRIMARY KEY ("objectId","idx")
);

-- CreateIndex
CREATE UNIQUE INDEX "AudioObject_objectId_key" ON "AudioObject"("objectId");


-- The chunks are encrypted: compressing them is wasted work.
ALTER TABLE "AudioChunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;
