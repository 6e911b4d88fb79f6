import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../lib/package-root.js";
import { flowFileSchema, type Flow } from "./flow-schema.js";

/** flows/ at the root of the package, wherever the process was started from. */
export const DEFAULT_FLOWS_DIR = path.join(PACKAGE_ROOT, "flows");
const SCHEMA_FILE = "flow.schema.json";

export class FlowError extends Error {}

export interface FlowRegistry {
  /** The current version; throws FlowError when there is no such flow. */
  getFlow(id: string): Flow;
  /**
   * A given version, so a survey keeps the version it started with. An unknown
   * version (e.g. made on another instance since this one started) gives the
   * current one: UI-made versions change texts only, never the questions' keys.
   */
  getFlowVersion(id: string, version: string | null | undefined): Flow;
  /** Adds a version (a UI-made one, src/survey/flow-versions.ts); it becomes the current one. */
  addVersion(flow: Flow): void;
  /** Every version known for a flow, oldest first. */
  versions(id: string): Flow[];
  ids(): string[];
  /** Where <Play> audio files are served from. */
  audioDir: string;
}

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Validates one flow document. The version is derived from the validated
 * content (defaults included), so any edit that changes what a citizen hears
 * or how answers are keyed yields a new version, and whitespace edits do not.
 */
export function parseFlow(raw: unknown, source: string): Flow {
  const parsed = flowFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new FlowError(`Invalid survey flow ${source}:\n${lines.join("\n")}`);
  }
  const { $schema: _ignored, ...content } = parsed.data;
  const version = createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 12);
  return { ...content, version };
}

/** Loads and validates every flows/*.json; throws FlowError naming the file and field. */
export function loadFlows(dir: string = DEFAULT_FLOWS_DIR): FlowRegistry {
  if (!existsSync(dir)) throw new FlowError(`Survey flow directory ${dir} does not exist`);
  const flows = new Map<string, Flow>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== SCHEMA_FILE)
    .sort()) {
    const file = path.join(dir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new FlowError(`Invalid survey flow ${file}: not valid JSON (${(err as Error).message})`);
    }
    const flow = parseFlow(raw, file);
    if (`${flow.id}.json` !== name)
      throw new FlowError(`Invalid survey flow ${file}:\n  id: "${flow.id}" must equal the file name without .json`);
    const missing = playedFiles(flow).filter((f) => !existsSync(path.join(dir, f)));
    if (missing.length > 0) {
      // Twilio would fetch a 404 mid-call and the citizen would hear silence, so refuse at start-up.
      throw new FlowError(
        `Invalid survey flow ${file}:\n${missing.map((f) => `  play: "${f}" does not exist in ${dir}`).join("\n")}`,
      );
    }
    flows.set(flow.id, flow);
  }
  if (flows.size === 0) throw new FlowError(`No survey flows (*.json) in ${dir}`);
  return fromFlows([...flows.values()], path.join(dir, "audio"));
}

/** Every audio file a flow plays, wherever the prompt sits (greeting, questions, message, endings). */
function playedFiles(value: unknown): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap(playedFiles))];
  if (!value || typeof value !== "object") return [];
  const obj = value as Record<string, unknown>;
  if (typeof obj.play === "string") return [obj.play];
  return [...new Set(Object.values(obj).flatMap(playedFiles))];
}

/** A registry over flows already in memory (tests, tools). */
export function fromFlows(list: Flow[], audioDir: string): FlowRegistry {
  const flows = new Map(list.map((f) => [f.id, f]));
  const history = new Map(list.map((f) => [f.id, [f]]));
  const getFlow = (id: string) => {
    const flow = flows.get(id);
    if (!flow) throw new FlowError(`No survey flow "${id}" (known: ${[...flows.keys()].join(", ")})`);
    return flow;
  };
  return {
    getFlow,
    getFlowVersion(id, version) {
      const current = getFlow(id);
      if (!version || version === current.version) return current;
      return history.get(id)?.find((f) => f.version === version) ?? current;
    },
    addVersion(flow) {
      if (!flows.has(flow.id)) throw new FlowError(`No survey flow "${flow.id}" to add a version to`);
      const list = history.get(flow.id)!.filter((f) => f.version !== flow.version);
      list.push(flow);
      history.set(flow.id, list);
      flows.set(flow.id, flow);
    },
    versions: (id) => [...(history.get(id) ?? [])],
    ids: () => [...flows.keys()],
    audioDir,
  };
}
