import type { AppContext } from "../context.js";
import { getOrganization } from "../organizations/service.js";
import { assertSameOrganization, requireManager, resolveGroup, type Viewer } from "./access.js";
import { funnelCounts } from "./funnel-repository.js";
import { periodInstants, type Period } from "./periods.js";
import { roundTo } from "./rounding.js";
import { resolvePeriod } from "./service.js";

/**
 * The survey funnel for the completed calls reported in a period (by
 * CompletedCall.receivedAt, in the organization's time zone):
 *   completedCalls → eligible (passed every rule but sampling) → sampled
 *   (a survey was scheduled) → dialled (at least one attempt) → reachedPerson
 *   (a keypress or human AMD) → completed / partial,
 * with skip reasons, final survey states and voice messages left.
 * responseRate = (completed + partial) / dialled: of the citizens we actually
 * called, how many answered at least one question. responseRateOfSampled uses
 * sampled as the denominator (expired and not-yet-called surveys count against it).
 * The SMS fallback adds linkOpened → answeredOnWeb → completedOnWeb, and
 * responseRateAllChannels = (completed + partial + answeredOnWeb) / sampled:
 * everyone selected, answered on either channel (a survey answered by phone is
 * never asked on the web, so nobody is counted twice).
 */
export interface FunnelRow {
  groupKey?: string;
  groupName?: string;
  completedCalls: number;
  eligible: number;
  sampled: number;
  dialled: number;
  reachedPerson: number;
  completed: number;
  partial: number;
  voiceMessages: number;
  /** SMS fallbacks sent with a link to the web survey (src/sms). */
  smsSent: number;
  linkOpened: number;
  answeredOnWeb: number;
  completedOnWeb: number;
  responseRate: number | null;
  responseRateOfSampled: number | null;
  responseRateAllChannels: number | null;
  skipReasons: Record<string, number>;
  surveyStates: Record<string, number>;
}

export interface FunnelInput {
  organizationId: string;
  period?: string;
  from?: string;
  to?: string;
  byGroup?: boolean;
  group?: string;
}

const rate = (num: number, den: number) => (den === 0 ? null : roundTo(num / den, 3));

export async function queryFunnel(
  ctx: AppContext,
  viewer: Viewer,
  input: FunnelInput,
  /** The organization's time zone when the caller has already read it (the overview reads it once per request). */
  known?: { timeZone: string },
): Promise<{ period: Period; rows: FunnelRow[] }> {
  assertSameOrganization(viewer, input.organizationId);
  requireManager(viewer);
  const db = ctx.prisma;
  const period = resolvePeriod(input);
  const timeZone = known?.timeZone ?? (await getOrganization(db, input.organizationId)).timeZone;
  const onlyGroup = input.group ? await resolveGroup(db, input.organizationId, input.group) : undefined;
  const byGroup = Boolean(input.byGroup || onlyGroup);
  const q = { organizationId: input.organizationId, ...periodInstants(period, timeZone), byGroup };
  const counts = await funnelCounts(db, q);
  const groups = byGroup
    ? new Map(
        (
          await db.answerGroup.findMany({
            where: { organizationId: input.organizationId },
            select: { id: true, key: true, name: true },
          })
        ).map((g) => [g.id, g]),
      )
    : new Map<string, { key: string; name: string }>();
  let rows: FunnelRow[] = counts.map((c) => {
    const g = c.groupId ? groups.get(c.groupId) : undefined;
    const { groupId: _gid, skipReasons, surveyStates, ...n } = c;
    return {
      ...(g ? { groupKey: g.key, groupName: g.name } : {}),
      ...n,
      responseRate: rate(c.completed + c.partial, c.dialled),
      responseRateOfSampled: rate(c.completed + c.partial, c.sampled),
      responseRateAllChannels: rate(c.completed + c.partial + c.answeredOnWeb, c.sampled),
      skipReasons,
      surveyStates,
    };
  });
  if (onlyGroup) rows = rows.filter((r) => r.groupKey === onlyGroup.key);
  if (!byGroup && rows.length === 0) rows = [emptyRow()];
  rows.sort((a, b) => (a.groupKey ?? "").localeCompare(b.groupKey ?? ""));
  return { period, rows };
}

const emptyRow = (): FunnelRow => ({
  completedCalls: 0,
  eligible: 0,
  sampled: 0,
  dialled: 0,
  reachedPerson: 0,
  completed: 0,
  partial: 0,
  voiceMessages: 0,
  smsSent: 0,
  linkOpened: 0,
  answeredOnWeb: 0,
  completedOnWeb: 0,
  responseRate: null,
  responseRateOfSampled: null,
  responseRateAllChannels: null,
  skipReasons: {},
  surveyStates: {},
});
