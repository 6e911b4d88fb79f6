import type { AppContext } from "../context.js";
import type { Db } from "../lib/db.js";
import { effectiveSettings, type OrgSettings } from "../organizations/settings.js";
import { transition, type TransitionInput } from "../survey/state.js";
import type { CallingWindowSpec } from "../intake/calling-window.js";

/**
 * A guarded state change (src/survey/state.ts: one statement, atomic on its
 * own, or inside the caller's transaction `db`), then the `survey.state`
 * domain event. Returns false when someone else moved the survey first: the
 * caller re-reads or gives up, never forces.
 */
export async function moveSurvey(
  ctx: AppContext,
  t: TransitionInput & { organizationId: string },
  db?: Db,
): Promise<boolean> {
  const { organizationId, ...input } = t;
  const moved = await transition(db ?? ctx.prisma, input);
  if (moved) {
    ctx.events.publish({
      type: "survey.state",
      organizationId,
      surveyId: t.surveyId,
      from: Array.isArray(t.from) ? null : t.from,
      to: t.to,
      at: t.at.toISOString(),
    });
  }
  return moved;
}

export interface SurveyPolicy {
  settings: OrgSettings;
  window: CallingWindowSpec;
}

/** Effective settings (organization + group) and calling window of a survey's organization. */
export function policyFor(org: { settings: unknown; timeZone: string }, group: { settings: unknown }): SurveyPolicy {
  const settings = effectiveSettings(org.settings, group.settings);
  return {
    settings,
    window: {
      callingHours: settings.callingHours,
      skipPublicHolidays: settings.skipPublicHolidays,
      timeZone: org.timeZone,
    },
  };
}
