import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// The CLI needs some DATABASE_URL even for `prisma generate`; without one it
// tries to download a native query engine, which cannot be fetched here.
process.env.DATABASE_URL ??= "postgresql://localhost/unused";

// Used by the Prisma CLI only (generate, migrate diff). The service builds its
// own client in src/lib/db.ts. DATABASE_URL is only read when a command
// actually connects; `prisma generate` works without it.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL });
  },
});
