import { operatorOfCollection } from '@ecf/common';
import type { OrgInfo } from '../deps';

/**
 * Which chaincode events an org's stream carries. Blocks are readable by every channel member, so this
 * is not the security boundary; it keeps each org's feed to its own business, so an operator's
 * dashboard never lists a competitor's customers. The regulator sees everything. Others see an event
 * when it names them (any `…MspId` field, or the private collection of one of their operators), or
 * when it names no party at all (public reference data: assets, campaigns, trades, halts).
 */
export function visibleTo(org: OrgInfo, event: Record<string, unknown>): boolean {
  if (org.role === 'regulator') return true;
  const parties = partiesOf(event);
  if (parties.length === 0) return true;
  const mine = new Set([org.mspId, ...org.servedOperators]);
  return parties.some((p) => mine.has(p));
}

/** Filters a chaincode event payload for an org; a Batch keeps the events it may see, or goes. */
export function filterEvent(org: OrgInfo, payload: unknown): Record<string, unknown> | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const event = payload as Record<string, unknown>;
  if (event.type === 'Batch' && Array.isArray(event.events)) {
    const events = (event.events as Array<Record<string, unknown>>).filter((e) => visibleTo(org, e));
    return events.length ? { ...event, events } : undefined;
  }
  return visibleTo(org, event) ? event : undefined;
}

/** A filing on the audit channel: the regulator sees all; an org, the filings that list it as a party. */
export function filterAuditEvent(org: OrgInfo, payload: unknown): Record<string, unknown> | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const parties = (payload as { parties?: unknown }).parties;
  const visible = org.role === 'regulator' || (Array.isArray(parties) && parties.includes(org.mspId));
  return visible ? (payload as Record<string, unknown>) : undefined;
}

function partiesOf(event: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (typeof value !== 'string') continue;
    if (key.endsWith('MspId')) out.push(value);
    const operator = key === 'collection' ? operatorOfCollection(value) : undefined;
    if (operator) out.push(operator);
  }
  return out;
}
