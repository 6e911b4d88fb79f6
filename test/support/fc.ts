/**
 * How many cases a fast-check property runs: the test's own quick default, or
 * more when FC_NUM_RUNS asks for more (.ci/run raises it; a developer can too:
 * `FC_NUM_RUNS=2000 npx vitest run test/intake-fuzz.test.ts`). Never fewer than
 * the default, so a low FC_NUM_RUNS cannot weaken a property.
 */
export function fcRuns(quickDefault: number): number {
  const asked = Number(process.env.FC_NUM_RUNS);
  return Number.isInteger(asked) && asked > quickDefault ? asked : quickDefault;
}
