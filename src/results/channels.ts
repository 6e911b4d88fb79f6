import type { Channel } from "./rollup.js";

/**
 * Which answers a result counts. The headline is the phone survey's unless
 * the organization counts web answers in it (webAnswersInHeadline): the SMS
 * fallback's web survey is a different way of asking, so mixing it in
 * silently would change what the figures measure over time and against
 * other municipalities. Pure.
 */
export type ChannelFilter = "phone" | "web" | "all";

export const CHANNEL_FILTERS = ["phone", "web", "all"] as const;

export function channelsFor(filter: ChannelFilter | undefined, webInHeadline: boolean): Channel[] {
  if (filter === "phone") return ["phone"];
  if (filter === "web") return ["web"];
  if (filter === "all") return ["phone", "web"];
  return webInHeadline ? ["phone", "web"] : ["phone"];
}

/** "phone", "web" or "phone+web": what a total includes, for rows, CSV columns and page captions. */
export const channelLabel = (channels: readonly Channel[]) => [...channels].sort().join("+");
