import { EntryAddress } from '../../cache/exact-cache.port';

/** What a served semantic hit leaves behind, so that feedback can find the entry later. */
export interface ServedHit {
  /** The tenant that got the hit: only it (or the admin) may report it. */
  tenant: string;
  address: EntryAddress;
  /** Hash of the normalised query text that got the hit. */
  queryHash: string;
  /** The match decision's score for the hit. */
  score: number;
}

/**
 * Request id → the semantic hit it was served, for `POST /api/v1/cache/feedback`. With Redis the
 * record is shared, so a report reaches the entry whichever replica receives it.
 */
export interface ServedHitLedger {
  /** Keeps the record until `expiresAt` (epoch ms), when the entry it names expires too. */
  remember(requestId: string, hit: ServedHit, expiresAt: number): Promise<void>;
  find(requestId: string): Promise<ServedHit | undefined>;
  forget(requestId: string): Promise<void>;
}

export const SERVED_HIT_LEDGER = Symbol('SERVED_HIT_LEDGER');
