-- CreateTable
CREATE TABLE "ExchangePeer" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT,
    "token" TEXT,
    "publicKey" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastPulledAt" TIMESTAMPTZ(3),
    "lastError" TEXT,

    CONSTRAINT "ExchangePeer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExchangeFigure" (
    "peerId" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "month" DATE NOT NULL,
    "questionKey" TEXT NOT NULL,
    "flowKeys" TEXT NOT NULL,
    "municipality" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "sum" INTEGER NOT NULL,
    "sumSq" INTEGER NOT NULL,
    "top2" INTEGER NOT NULL,
    "publishedAt" TIMESTAMPTZ(3) NOT NULL,
    "importedAt" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,

    CONSTRAINT "ExchangeFigure_pkey" PRIMARY KEY ("peerId","scope","month","questionKey")
);

-- CreateTable
CREATE TABLE "PublishedFigure" (
    "id" BIGSERIAL NOT NULL,
    "municipality" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "n" INTEGER,
    "source" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "importedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PublishedFigure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ExchangePeer_name_key" ON "ExchangePeer"("name");

-- CreateIndex
CREATE INDEX "ExchangeFigure_month_idx" ON "ExchangeFigure"("month");

-- CreateIndex
CREATE INDEX "PublishedFigure_period_idx" ON "PublishedFigure"("period");

-- CreateIndex
CREATE UNIQUE INDEX "PublishedFigure_municipality_period_measure_source_key" ON "PublishedFigure"("municipality", "period", "measure", "source");

-- AddForeignKey
ALTER TABLE "ExchangeFigure" ADD CONSTRAINT "ExchangeFigure_peerId_fkey" FOREIGN KEY ("peerId") REFERENCES "ExchangePeer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

