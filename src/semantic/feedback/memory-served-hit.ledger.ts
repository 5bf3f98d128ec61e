import { LRUCache } from 'lru-cache';
import { ServedHit, ServedHitLedger } from './served-hit-ledger.port';

/** Served hits remembered per process; older request ids can no longer be reported. */
const REMEMBERED_HITS = 50_000;

/** The ledger without Redis: this process's most recent semantic hits. */
export class MemoryServedHitLedger implements ServedHitLedger {
  private readonly hits = new LRUCache<string, ServedHit>({ max: REMEMBERED_HITS });

  remember(requestId: string, hit: ServedHit, expiresAt: number): Promise<void> {
    const ttl = expiresAt - Date.now();
    if (ttl > 0) this.hits.set(requestId, hit, { ttl });
    return Promise.resolve();
  }

  find(requestId: string): Promise<ServedHit | undefined> {
    return Promise.resolve(this.hits.get(requestId));
  }

  forget(requestId: string): Promise<void> {
    this.hits.delete(requestId);
    return Promise.resolve();
  }
}
