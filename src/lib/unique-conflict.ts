/**
 * Prisma's upsert is a read and then an insert or an update unless it can use
 * INSERT … ON CONFLICT, so two processes ensuring the same row at the same
 * moment can both read nothing and one insert then fails on the unique key.
 * Run again, the loser finds the row and updates it, which is what it wanted.
 */
export async function retryOnUniqueConflict<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || (err as { code?: unknown }).code !== "P2002") throw err;
    }
  }
}
