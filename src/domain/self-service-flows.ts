import { randomBytes } from 'node:crypto';
import type { SelfServiceFlowStore } from '../store/redis/self-service-flow-store.js';

/**
 * Journeys that start outside an OIDC interaction (SPEC 4.5, 4.7): a flow with an id, an
 * explicit state and an expiry, optionally pointing back at the interaction the person
 * came from, so that after success they can continue signing in there.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> started: form shown
 *   started --> awaiting_confirmation: registration posted (registration)
 *   awaiting_confirmation --> confirmed: password set, account created
 *   started --> link_sent: email posted (recovery)
 *   link_sent --> completed: new password saved
 *   confirmed --> handed_back: sign-in continued at the relying party
 *   completed --> handed_back
 * ```
 */
export type FlowKind = 'registration' | 'recovery';

export type FlowStateName = 'started' | 'awaiting_confirmation' | 'confirmed' | 'link_sent' | 'completed' | 'handed_back';

const TRANSITIONS: Record<FlowKind, Partial<Record<FlowStateName, readonly FlowStateName[]>>> = {
  registration: { started: ['awaiting_confirmation'], awaiting_confirmation: ['confirmed'], confirmed: ['handed_back'] },
  recovery: { started: ['link_sent'], link_sent: ['completed'], completed: ['handed_back'] },
};

/** The states in which a flow has reached its goal (an account with a password). */
const SUCCEEDED: readonly FlowStateName[] = ['confirmed', 'completed', 'handed_back'];

export interface SelfServiceFlow {
  id: string;
  kind: FlowKind;
  state: FlowStateName;
  /** Epoch milliseconds; the Redis TTL follows it. */
  expiresAt: number;
  /** The OIDC interaction the person came from, if any. */
  interactionUid?: string;
  /** The language of the page the flow started on: its mails use it. */
  locale: string;
  /** Registration: what was asked for (kept until the confirmation creates the account). */
  registration?: { policyNumber: string; email: string };
  /** The account the flow ended with (or, for recovery, is for). */
  accountId?: string;
}

export class FlowTransitionRefused extends Error {
  constructor(readonly from: FlowStateName, readonly to: FlowStateName) {
    super(`flow cannot go from ${from} to ${to}`);
  }
}

const FLOW_ID = /^[A-Za-z0-9_-]{43}$/;

export function isFlowId(value: unknown): value is string {
  return typeof value === 'string' && FLOW_ID.test(value);
}

export function hasSucceeded(flow: SelfServiceFlow): boolean {
  return SUCCEEDED.includes(flow.state);
}

export function createSelfServiceFlows({ store, now = () => Date.now() }: { store: SelfServiceFlowStore; now?: () => number }) {
  const serialise = (flow: SelfServiceFlow) => JSON.stringify(flow);
  return {
    async start(kind: FlowKind, { ttlSeconds, locale, interactionUid }: { ttlSeconds: number; locale: string; interactionUid?: string }): Promise<SelfServiceFlow> {
      const flow: SelfServiceFlow = { id: randomBytes(32).toString('base64url'), kind, state: 'started', expiresAt: now() + ttlSeconds * 1000, locale, ...(interactionUid ? { interactionUid } : {}) };
      await store.create(flow.id, flow.state, serialise(flow), ttlSeconds * 1000);
      return flow;
    },

    /** The flow, while it lives (the clock is checked too, so tests can move time). */
    async get(id: string | undefined): Promise<SelfServiceFlow | undefined> {
      if (!isFlowId(id)) return undefined;
      const raw = await store.get(id);
      const flow = raw ? (JSON.parse(raw) as SelfServiceFlow) : undefined;
      return flow && flow.expiresAt > now() ? flow : undefined;
    },

    /**
     * Moves `flow` to `to` with `changes`, atomically: returns the new flow, or undefined
     * when another request moved it first. `ttlSeconds` gives the new state a lifetime of
     * its own; without it the expiry stays.
     */
    async transition(flow: SelfServiceFlow, to: FlowStateName, changes: Partial<Pick<SelfServiceFlow, 'registration' | 'accountId'>> = {}, ttlSeconds?: number): Promise<SelfServiceFlow | undefined> {
      if (!TRANSITIONS[flow.kind][flow.state]?.includes(to)) throw new FlowTransitionRefused(flow.state, to);
      const expiresAt = ttlSeconds === undefined ? flow.expiresAt : now() + ttlSeconds * 1000;
      const next: SelfServiceFlow = { ...flow, ...changes, state: to, expiresAt };
      const ttlMs = expiresAt - now();
      if (ttlMs <= 0) return undefined;
      return (await store.transition(flow.id, flow.state, to, serialise(next), ttlMs)) ? next : undefined;
    },
  };
}

export type SelfServiceFlows = ReturnType<typeof createSelfServiceFlows>;
