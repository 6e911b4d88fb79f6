/** Running totals of the demo traffic, for the periodic summary log line. */
export class DemoStats {
  posted = 0;
  scheduled = 0;
  skipped: Record<string, number> = {};
  postErrors = 0;
  poolExhausted = 0;
  callsEnded: Record<string, number> = {};
  surveys: Record<string, number> = {};
  answers = 0;
  scoreSum = 0;
  perQuestion: Record<string, { n: number; sum: number }> = {};
  voiceMessages = 0;

  recordDecision(decision: string | undefined, reason: string | null | undefined) {
    this.posted++;
    if (decision === "scheduled") this.scheduled++;
    else {
      const key = reason ?? "unknown";
      this.skipped[key] = (this.skipped[key] ?? 0) + 1;
    }
  }

  recordCall(status: string) {
    this.callsEnded[status] = (this.callsEnded[status] ?? 0) + 1;
  }

  recordSurvey(state: string, answers: { questionKey: string; score: number }[], voiceMessage: boolean) {
    this.surveys[state] = (this.surveys[state] ?? 0) + 1;
    for (const a of answers) {
      this.answers++;
      this.scoreSum += a.score;
      const q = (this.perQuestion[a.questionKey] ??= { n: 0, sum: 0 });
      q.n++;
      q.sum += a.score;
    }
    if (voiceMessage) this.voiceMessages++;
  }

  summary() {
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      callsPosted: this.posted,
      surveysScheduled: this.scheduled,
      skipped: this.skipped,
      surveyCallsEnded: this.callsEnded,
      surveysFinished: this.surveys,
      answersStored: this.answers,
      meanScore: this.answers ? round(this.scoreSum / this.answers) : null,
      meanByQuestion: Object.fromEntries(Object.entries(this.perQuestion).map(([k, v]) => [k, round(v.sum / v.n)])),
      voiceMessages: this.voiceMessages,
      ...(this.postErrors ? { postErrors: this.postErrors } : {}),
      ...(this.poolExhausted ? { numberPoolExhausted: this.poolExhausted } : {}),
    };
  }
}
