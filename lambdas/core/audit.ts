// Audit events and their hash chain: each event carries its stream's sequence number and the hash of the
// previous event, so an edited, removed or reordered event is detectable by verifyChain.
import { hash as digest } from 'node:crypto';
import type { Scope } from './model.ts';

export const GENESIS_HASH = '0'.repeat(64);

export type Actor =
  | { readonly type: 'principal'; readonly id: string }
  | { readonly type: 'system'; readonly id: 'workflow' | 'sweep' | 'api' }
  /** A SCIM provisioning client (Entra ID, Okta) changing the directory: `scim:<client name>`. */
  | { readonly type: 'system'; readonly id: `scim:${string}` };

export const AUDIT_ACTIONS = [
  'REQUEST_SUBMITTED',
  'APPROVAL_REQUESTED',
  'NOTIFICATION_SENT',
  'NOTIFICATION_FAILED',
  'APPROVAL_RECORDED',
  'REQUEST_APPROVED',
  'REQUEST_DENIED',
  'REQUEST_CANCELLED',
  'REQUEST_TIMED_OUT',
  'REQUEST_REJECTED',
  'GRANT_ACTIVATED',
  'GRANT_EXPIRED',
  'GRANT_REVOKED',
  'REVIEW_REQUESTED',
  'REVIEW_KEPT',
  'EXTENSION_REQUESTED',
  'EXTENSION_APPROVAL_RECORDED',
  'EXTENSION_APPROVED',
  'EXTENSION_DENIED',
  'EXTENSION_TIMED_OUT',
  'PRINCIPAL_UPDATED',
  'PRINCIPAL_CREATED',
  'SEATS_RECONCILED',
  'OUT_OF_BAND_ACCESS_FOUND',
  'OUT_OF_BAND_ACCESS_REMOVED',
  'OUT_OF_BAND_ACCESS_GONE',
  'GRANT_REAPPLIED',
  'PROVISIONING_STARTED',
  'PROVISIONING_FAILED',
  'DEPROVISIONING_FAILED',
  'POLICY_CHANGE_PROPOSED',
  'POLICY_CHANGE_APPROVED',
  'POLICY_CHANGE_DENIED',
  'POLICY_CHANGE_EXPIRED',
  'POLICY_ACTIVATED',
  'BREAK_GLASS_REVIEW_RECORDED',
  'BREAK_GLASS_JUSTIFIED',
  'BREAK_GLASS_NOT_JUSTIFIED',
  'BREAK_GLASS_UNREVIEWED',
  'DATASET_UPDATED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditSubject {
  readonly requestId: string;
  readonly principalId: string;
  readonly scopes: readonly Scope[];
}

export interface AuditEventDraft {
  readonly action: AuditAction;
  readonly actor: Actor;
  readonly at: string;
  readonly subject: AuditSubject;
  readonly outcome: 'success' | 'refused' | 'failed';
  readonly reason?: string | undefined;
  readonly details?: Readonly<Record<string, string | number | boolean | readonly string[]>> | undefined;
}

export interface AuditEvent extends AuditEventDraft {
  readonly stream: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export const EMPTY_CHAIN: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** JSON with object keys sorted at every level and undefined members dropped: one byte string per value. */
export function canonicalJson(value: unknown): string {
  return canonical(value, undefined);
}

// Written with plain loops and string appends: verify hashes every event, so this is the audit trail's hot path.
function canonical(value: unknown, omitKey: string | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += item === undefined ? 'null' : canonical(item, undefined);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, the same order as `<` on strings.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || key === omitKey) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonical(member, undefined)}`;
  }
  return `${out}}`;
}

/** The SHA-256 of the event's canonical JSON without its own `hash` member. */
export function hashEvent(event: Omit<AuditEvent, 'hash'>): string {
  return digest('sha256', canonical(event, 'hash'), 'hex');
}

/** Appends a draft to a stream whose current head is `head`. */
export function chainEvent(stream: string, head: ChainHead, draft: AuditEventDraft): AuditEvent {
  const unsigned = { ...draft, stream, seq: head.seq + 1, prevHash: head.hash };
  return { ...unsigned, hash: hashEvent(unsigned) };
}

export function headOf(event: AuditEvent): ChainHead {
  return { seq: event.seq, hash: event.hash };
}

export type ChainVerdict =
  | { readonly ok: true; readonly count: number; readonly head: ChainHead }
  | {
      readonly ok: false;
      readonly count: number;
      readonly position: number;
      readonly seq: number;
      readonly problem: 'missing-or-reordered' | 'edited' | 'broken-link';
    };

/** Walks one stream's events in sequence order; reports the first broken link. */
export function verifyChain(events: readonly AuditEvent[]): ChainVerdict {
  let head = EMPTY_CHAIN;
  for (const [index, event] of events.entries()) {
    if (event.seq !== head.seq + 1) {
      return {
        ok: false,
        count: events.length,
        position: index,
        seq: event.seq,
        problem: 'missing-or-reordered',
      };
    }
    if (event.prevHash !== head.hash) {
      return { ok: false, count: events.length, position: index, seq: event.seq, problem: 'broken-link' };
    }
    if (hashEvent(event) !== event.hash) {
      return { ok: false, count: events.length, position: index, seq: event.seq, problem: 'edited' };
    }
    head = headOf(event);
  }
  return { ok: true, count: events.length, head };
}
