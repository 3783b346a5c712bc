/**
 * Wiring: from a config (or the flags of `scan`) to a ready cycle context — state, connectors,
 * rules, templates, alert channels. The only place that knows every part.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Clock } from '../clock.js';
import type { AttentionMarker, Connector, ConnectorEnv } from '../connectors/port.js';
import type { Owner } from '../model/types.js';
import type { DeadlinePolicy } from '../classify/classify.js';
import { Store } from '../store/index.js';
import { buildRuleSet, readRuleDir, readRuleFile, type RuleSet, type RuleSource } from '../rules/load.js';
import { candidateFilter } from '../rules/filter.js';
import { loadTemplateDirs } from '../drafts/templates.js';
import { buildChannels, type ChannelConfig } from '../alerts/channels.js';
import { connectorDefinition } from '../connectors/registry.js';
import { threadHandle } from '../pipeline/threading.js';
import { OfferwatchError } from '../errors.js';
import type { SourceConfig } from '../config/schema.js';
import type { ResponseRule } from '../respond/schema.js';
import type { CycleContext } from '../pipeline/cycle.js';
import { BUILTIN_RULES_DIR, TEMPLATES_DIR } from '../paths.js';
import { ensurePrivateDir } from '../util/secure-fs.js';

export interface AppSpec {
  owner: Owner & { signature: string | null };
  sources: SourceConfig[];
  /** Directory for state, drafts and tokens; null: a private temporary one, removed on close (scan). */
  stateDir: string | null;
  deadlines: DeadlinePolicy;
  /** Personal rule sources layered over the built-in ones. */
  ruleSources: RuleSource[];
  disabledRules: string[];
  responses: ResponseRule[];
  channels: ChannelConfig[];
  autoSave: boolean;
  /** Extra template folders after the built-in one (`templates.dir`). */
  templateDirs?: string[];
  /** How people see times (the owner's zone); UTC when absent. */
  time?: (iso: string) => string;
  resolvePath: (p: string) => string;
}

export interface App {
  ctx: CycleContext;
  store: Store;
  spec: AppSpec;
  close(): Promise<void>;
}

/** Personal rule sources first, then the built-in rule files. */
export function ruleSources(personal: RuleSource[]): RuleSource[] {
  return [...personal, ...readRuleDir(BUILTIN_RULES_DIR)];
}

export function loadRules(personal: RuleSource[], disabled: string[] = []): RuleSet {
  return buildRuleSet(ruleSources(personal), disabled);
}

export function ruleSourcesFromFiles(files: string[]): RuleSource[] {
  return files.map((f) => readRuleFile(f, true));
}

/** Everything classification depends on besides the messages: rules, owner, deadlines. */
function fingerprintOf(spec: AppSpec, sources: RuleSource[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ owner: spec.owner.addresses, deadlines: spec.deadlines, disabled: spec.disabledRules }));
  for (const s of sources) h.update(JSON.stringify(s.parsed.value.rules));
  return h.digest('hex');
}

/** A marker for sources that cannot label mail themselves (mbox): kept in state. */
function stateMarker(store: Store, source: string, clock: Clock): AttentionMarker {
  return {
    async setNeedsReply(thread, on) {
      store.alerts.setAttention({ source, id: thread.threadId }, on, clock.now());
    },
  };
}

export async function openApp(spec: AppSpec, deps: { clock: Clock; log: (line: string) => void; write: (line: string) => void }): Promise<App> {
  const sources = ruleSources(spec.ruleSources);
  const rules = buildRuleSet(sources, spec.disabledRules);
  const templates = loadTemplateDirs([TEMPLATES_DIR, ...(spec.templateDirs ?? [])]);
  // A throwaway state still lives on disk, so that memory stays flat on a multi-gigabyte mailbox.
  const temporary = spec.stateDir ? null : mkdtempSync(join(tmpdir(), 'offerwatch-'));
  const stateDir = spec.stateDir ?? temporary!;
  ensurePrivateDir(stateDir);
  const store = Store.open(join(stateDir, 'offerwatch.db'));
  const channelLabel = spec.channels.flatMap((c) => (c.type === 'mailbox' && c.label ? [c.label] : []))[0];
  const env: ConnectorEnv = { stateDir, clock: deps.clock, log: deps.log, resolvePath: spec.resolvePath, replyDueLabel: channelLabel };
  const connectors: Connector[] = [];
  const markers = new Map<string, AttentionMarker>();
  try {
    for (const s of spec.sources) {
      const def = connectorDefinition(s.type);
      if (!def) throw new OfferwatchError('ECONFIG', `cannot open source ${s.name}: unknown source type "${s.type}"`);
      const c = await def.create(s, env);
      connectors.push(c);
      // A source that cannot mark threads itself (mbox) has its marks kept in state.
      markers.set(s.name, c.attention ?? stateMarker(store, s.name, deps.clock));
    }
  } catch (e) {
    store.close();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
    throw e;
  }
  const handleOf = (source: string, threadId: string) => {
    const t = store.messages.loadThread(source, threadId, spec.owner);
    return t ? threadHandle(t) : null;
  };
  const channels = buildChannels(spec.channels, { write: deps.write, markers, handleOf, time: spec.time });
  const ctx: CycleContext = {
    store,
    connectors,
    rules,
    fingerprint: fingerprintOf(spec, sources),
    owner: spec.owner,
    deadlines: spec.deadlines,
    filter: candidateFilter(rules),
    channels,
    responses: spec.responses,
    templates,
    autoSave: spec.autoSave,
    clock: deps.clock,
    log: deps.log,
  };
  return {
    ctx,
    store,
    spec,
    async close() {
      for (const c of connectors) await c.close?.();
      store.close();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}
