import { z } from "zod";
import { CHANNEL_FILTERS, type ChannelFilter } from "../results/channels.js";
import { parseOrThrow } from "../lib/errors.js";
import { html, type Html } from "./html.js";
import { msg, type Lang } from "./i18n.js";

/**
 * The channel switch of the result pages (overview, agent page, reports):
 * ?channel=phone|web|all, absent meaning the organization's headline
 * (phone only unless web answers count in it). One parser and one control,
 * so every page reads and links the parameter the same way.
 */
const channelQuery = z.object({ channel: z.enum(CHANNEL_FILTERS).optional() });

/** The page's ?channel=; anything else is refused with the field named (the Swedish 400 page). */
export function channelInQuery(query: Record<string, unknown>): ChannelFilter | undefined {
  return parseOrThrow(channelQuery, { channel: query.channel }, "query").channel;
}

/** "&channel=web" when one was asked for, so links within a page keep it; "" for the default. */
export const channelSuffix = (channel: ChannelFilter | undefined) => (channel ? `&channel=${channel}` : "");

/** The switch a figure's channels correspond to, so the default is marked too. */
export function effectiveChannel(channel: ChannelFilter | undefined, channels: readonly string[]): ChannelFilter {
  if (channel) return channel;
  if (channels.includes("web")) return channels.includes("phone") ? "all" : "web";
  return "phone";
}

export const channelNames = (channels: readonly string[], L: Lang) =>
  channels.map((c) => ({ phone: msg(L).common.channels.phone, web: msg(L).common.channels.web })[c] ?? c).join(" + ");

/**
 * "Svaren kommer från: telefon" and the three links. `href` is the page's
 * address with its query (the period) and no channel; a link appends it.
 */
export function channelSwitch(o: {
  href: string;
  channel: ChannelFilter | undefined;
  channels: readonly string[];
  lang: Lang;
}): Html {
  const L = o.lang;
  const current = effectiveChannel(o.channel, o.channels);
  const join = o.href.includes("?") ? "&" : "?";
  const t = msg(L).common.channels;
  const label = { phone: t.phoneTab, web: t.webTab, all: t.allTab };
  const links = CHANNEL_FILTERS.map(
    (c) => html`<a href="${o.href}${join}channel=${c}"${c === current && html` aria-current="page"`}>${label[c]}</a>`,
  );
  return html`<p data-testid="channels">${t.answersFrom}: <strong>${channelNames(o.channels, L)}</strong></p>
<nav class="tabs noprint" aria-label="${t.channel}">${links}</nav>`;
}
