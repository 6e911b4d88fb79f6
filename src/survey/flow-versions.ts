import type { Db } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import type { Flow } from "./flow-schema.js";
import { FlowError, parseFlow, type FlowRegistry } from "./flows.js";

/**
 * Flow versions made in the admin UI. Files in flows/ stay the base; editing
 * the spoken texts saves the whole flow as a new FlowVersion row, validated by
 * the same schema as the files (parseFlow) and keyed by the same content hash.
 * The newest row of a flow is its current version (new surveys start on it);
 * a survey in progress keeps the version it started with (its flowVersion and
 * the `v` of its callback URLs, via FlowRegistry.getFlowVersion).
 */

/** Where a spoken text sits in a flow, e.g. "questions.2.prompt.0". */
export interface FlowText {
  path: string;
  text: string;
}

const PROMPT_LISTS = ["greeting", "invalidInput", "noInput", "thanks", "optedOut", "ended", "error"] as const;

/** Every <Say> text of a flow with its path, in the order a caller hears them. */
export function flowTexts(flow: Flow): FlowText[] {
  const out: FlowText[] = [];
  const add = (base: string, prompts: Flow["greeting"]) =>
    prompts.forEach((p, i) => "say" in p && out.push({ path: `${base}.${i}`, text: p.say }));
  add("greeting", flow.greeting);
  flow.questions.forEach((q, i) => add(`questions.${i}.prompt`, q.prompt));
  if (flow.message) add("message.prompt", flow.message.prompt);
  for (const k of PROMPT_LISTS.slice(1)) add(k, flow[k]);
  return out;
}

/** The flow with some texts replaced; only existing <Say> prompts can change, never keys or structure. */
export function withTexts(flow: Flow, texts: Record<string, string>): Flow {
  const { version: _v, ...content } = structuredClone(flow);
  const known = new Set(flowTexts(flow).map((t) => t.path));
  for (const [path, text] of Object.entries(texts)) {
    if (!known.has(path)) continue;
    const parts = path.split(".");
    let node: unknown = content;
    for (const part of parts) node = (node as Record<string, unknown>)[part];
    (node as { say: string }).say = text.replace(/\r\n/g, "\n").trim();
  }
  try {
    return parseFlow(content, `flow ${flow.id} (edited in the admin UI)`);
  } catch (err) {
    if (!(err instanceof FlowError)) throw err;
    // parseFlow names the path ("questions.2.prompt.0.say: …"); the page shows it with the text's label.
    const fields = [...err.message.matchAll(/^\s{2}(\S+): (.*)$/gm)].map((m) => ({ field: m[1], message: m[2] }));
    throw new AppError(
      "validation_failed",
      err.message,
      fields,
      `Texten ${fields.map((f) => f.field.replace(/\.say$/, "")).join(", ")}: måste ha 1–2000 tecken.`,
    );
  }
}

/** Loads the UI-made versions into the registry at start-up, oldest first (so the newest is current). */
export async function loadStoredFlowVersions(db: Db, registry: FlowRegistry): Promise<number> {
  const rows = await db.flowVersion.findMany({
    orderBy: { createdAt: "asc" },
    select: { flowId: true, content: true },
  });
  let n = 0;
  for (const r of rows) {
    if (!registry.ids().includes(r.flowId)) continue; // a flow whose file was removed
    registry.addVersion(parseFlow(r.content, `stored version of flow ${r.flowId}`));
    n += 1;
  }
  return n;
}

/**
 * Saves edited texts as a new version and makes it current. Returns null when
 * nothing changed (the same content hash as the current version).
 */
export async function saveFlowTexts(
  db: Db,
  registry: FlowRegistry,
  flowId: string,
  texts: Record<string, string>,
  userId: string | null,
): Promise<{ before: Flow; after: Flow } | null> {
  const before = registry.getFlow(flowId);
  const after = withTexts(before, texts);
  if (after.version === before.version) return null;
  const { version: _v, ...content } = after;
  await db.flowVersion.upsert({
    where: { flowId_version: { flowId, version: after.version } },
    // Back to an earlier text: that version becomes current again.
    update: { createdAt: new Date(), createdById: userId },
    create: { flowId, version: after.version, content: content, createdById: userId },
  });
  registry.addVersion(after);
  return { before, after };
}
