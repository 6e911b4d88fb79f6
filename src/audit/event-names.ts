import { num } from "../i18n/format.js";
import { msg, reasonName, type Lang } from "../i18n/index.js";

/** What each audit action is called on the audit page; an unknown action is shown by its code, never hidden. */
export function auditEventName(action: string, lang: Lang): string {
  return msg(lang).audit.events[action] ?? action;
}

/** The names of every action the audit page knows (test/admin-it.test.ts compares them with the code's). */
export const AUDIT_ACTIONS: readonly string[] = Object.keys(msg("sv").audit.events);

/** What an event concerns ("Användare", "Röstmeddelande"); an unknown kind by its code. */
export function auditTargetName(targetType: string, lang: Lang): string {
  return msg(lang).audit.targets[targetType] ?? targetType;
}

function value(key: string, v: unknown, lang: Lang): string {
  const m = msg(lang);
  if (v === null || v === undefined || v === "") return "–";
  if (typeof v === "boolean") return v ? m.audit.yes : m.audit.no;
  if (typeof v === "number") return num(lang, v);
  if (key === "role" && typeof v === "string") return (m.shell.roles as Record<string, string>)[v] ?? v;
  if (key === "method" && typeof v === "string") return m.audit.methods[v] ?? v;
  if (key === "reason" && typeof v === "string") return reasonName(v, lang);
  if (Array.isArray(v)) return v.map((x) => value(key, x, lang)).join(", ");
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("from" in o || "to" in o) return `${value(key, o.from, lang)} → ${value(key, o.to, lang)}`;
    return auditDetailText(o, lang);
  }
  return String(v);
}

/** An event's details as a person reads them: "Roll: enhetschef → administratör; Namn: …", never raw JSON. */
export function auditDetailText(detail: Record<string, unknown>, lang: Lang): string {
  const names = msg(lang).audit.fields;
  return Object.entries(detail)
    .map(([k, v]) => `${names[k] ?? k}: ${value(k, v, lang)}`)
    .join("; ");
}
