import { QUESTION_MEANS } from "../telephony/simulator/personas.js";

/**
 * The demo kundcenter: the svarsgrupper of the 2018 report (../shared/domain.md)
 * and 17 invented kommunvägledare. Group shares make Val 1 the busiest; mean
 * queue times follow the report (Val 1 1.5 min, Val 2 under 1 min, Val 3
 * 2 min 42 s). Agent tendencies are small, except one agent who scores
 * clearly below their group, so coaching views have something to find.
 */
export interface DemoGroup {
  key: string;
  name: string;
  /** Share of the kundcenter's calls. */
  share: number;
  queueMeanSeconds: number;
  /** Small group effect on every score but svarstid. */
  effect: number;
}

export const DEMO_GROUPS: readonly DemoGroup[] = [
  { key: "val1", name: "Val 1 – Socialt stöd, vård och omsorg", share: 0.34, queueMeanSeconds: 90, effect: 0 },
  { key: "val2", name: "Val 2 – Skola, förskola och vuxenutbildning", share: 0.2, queueMeanSeconds: 50, effect: 0.05 },
  {
    key: "val3",
    name: "Val 3 – Fastigheter, gator, byggande och miljö",
    share: 0.2,
    queueMeanSeconds: 162,
    effect: -0.08,
  },
  {
    key: "val4",
    name: "Val 4 – Kultur och fritid, anställning, politik och inflyttarfrågor",
    share: 0.12,
    queueMeanSeconds: 70,
    effect: 0.03,
  },
  { key: "foretagslotsen", name: "Företagslotsen", share: 0.05, queueMeanSeconds: 45, effect: 0.1 },
  { key: "ej-val", name: "Ej val", share: 0.09, queueMeanSeconds: 100, effect: -0.1 },
];

export interface DemoAgent {
  /** demo-agent-NN: the demo sign-in accounts (src/auth/seed.ts) link to the first of these. */
  externalId: string;
  name: string;
  /** Primary svarsgrupp; agents also take other queues now and then. */
  group: string;
  /** Effect on the agent-related questions (bemötande, engagemang, kunskap, …). */
  effect: number;
}

const agent = (n: number, name: string, group: string, effect: number): DemoAgent => ({
  externalId: `demo-agent-${String(n).padStart(2, "0")}`,
  name,
  group,
  effect,
});

/** Invented names; none belongs to the staff named in the source documents. */
export const DEMO_AGENTS: readonly DemoAgent[] = [
  agent(1, "Annika Lindqvist", "val1", 0.08),
  agent(2, "Johan Bergström", "val1", 0.02),
  agent(3, "Malin Sandberg", "val1", 0.12),
  agent(4, "Henrik Holmqvist", "val1", -0.05),
  agent(5, "Lina Nyström", "val1", 0.04),
  agent(6, "Mikael Ekdahl", "val2", 0.06),
  agent(7, "Linnea Forsberg", "val2", -0.03),
  agent(8, "Ahmed Haddad", "val2", 0.1),
  agent(9, "Karin Westerlund", "val3", 0.05),
  // The coaching signal: clearly below the rest of Val 3.
  agent(10, "Peter Lundgren", "val3", -0.55),
  agent(11, "Emma Sjöberg", "val3", 0.0),
  agent(12, "Fredrik Åkesson", "val4", -0.06),
  agent(13, "Helena Strand", "val4", 0.09),
  agent(14, "Nadia Rahimi", "foretagslotsen", 0.07),
  agent(15, "Jonas Hedlund", "val1", -0.1),
  agent(16, "Eva Björklund", "val2", 0.03),
  agent(17, "Oskar Lindahl", "val4", -0.02),
];

/** How strongly the agent's effect shows in each question (svarstid is the queue's, not the agent's). */
const AGENT_WEIGHT: Record<string, number> = {
  svarstid: 0,
  bemotande: 1,
  engagemang: 1,
  kunskap: 1,
  fick_hjalp: 0.8,
  helhet: 0.8,
  rekommendera: 0.3,
};

/** The answer-time score follows the actual wait: about 4.1 at 50 s, 3.95 at 90 s, 3.6 at 162 s. */
export function svarstidMean(queueSeconds: number): number {
  return Math.min(4.7, Math.max(2.6, 4.35 - 0.0045 * queueSeconds));
}

/** Per-question target means for one citizen's call, from the group, the agent and the wait. */
export function scoreMeansFor(group: DemoGroup, agentEffect: number, queueSeconds: number): Record<string, number> {
  const means: Record<string, number> = {};
  for (const [q, base] of Object.entries(QUESTION_MEANS)) {
    means[q] =
      q === "svarstid" ? svarstidMean(queueSeconds) : base + group.effect + agentEffect * (AGENT_WEIGHT[q] ?? 0.5);
  }
  return means;
}
