import { EventEmitter } from "node:events";

/** Domain events other features react to (real-time results, logs, tests). */
export type DomainEvent =
  | {
      type: "answer.stored";
      organizationId: string;
      groupId: string;
      agentId: string;
      surveyId: string;
      questionKey: string;
      score: number;
      answeredAt: string;
    }
  | { type: "survey.state"; organizationId: string; surveyId: string; from: string | null; to: string; at: string }
  | { type: "voice-message.stored"; organizationId: string; surveyId: string; voiceMessageId: string };

export interface EventBus {
  publish(event: DomainEvent): void;
  subscribe(listener: (event: DomainEvent) => void): () => void;
}

/**
 * In-process fan-out. Enough for one instance (the embedded database serves
 * one anyway); src/results wraps it with PostgreSQL LISTEN/NOTIFY on a real
 * server so that every instance's subscribers hear every answer.
 */
export function createLocalEventBus(): EventBus {
  const em = new EventEmitter();
  em.setMaxListeners(0);
  return {
    publish: (event) => void em.emit("event", event),
    subscribe(listener) {
      em.on("event", listener);
      return () => em.off("event", listener);
    },
  };
}
