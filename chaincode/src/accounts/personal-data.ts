import { createHash } from 'node:crypto';
import type { PersonalData } from '@ecf/common';
export type { PersonalRecord } from '@ecf/common';
import { canonicalJson } from '../ledger/codec';

/**
 * The public commitment to a person's data: sha256 over the salt and the canonical JSON. The salt is
 * chosen by the operator and stays private, so the hash cannot be confirmed by guessing a name or id.
 */
export function personalDataHash(personal: PersonalData, salt: string): string {
  return createHash('sha256').update(salt).update('\u0000').update(canonicalJson(personal)).digest('hex');
}
