import { RedisConnection } from '../../redis/redis-connection';
import { ServedHit, ServedHitLedger } from './served-hit-ledger.port';

/**
 * The ledger in Redis, shared by every replica: a report reaches the entry whichever replica
 * receives it (the entry itself must be shared too, i.e. Qdrant). Each record expires with the
 * entry it names. Keys sit outside the exact cache's `{tenant/namespace}` key space, so its
 * scans, purges and exports never see them.
 */
export class RedisServedHitLedger implements ServedHitLedger {
  constructor(private readonly redis: RedisConnection) {}

  async remember(requestId: string, hit: ServedHit, expiresAt: number): Promise<void> {
    const ttlMs = Math.ceil(expiresAt - Date.now());
    if (ttlMs <= 0) return;
    await this.redis.client.set(this.key(requestId), JSON.stringify(hit), 'PX', ttlMs);
  }

  async find(requestId: string): Promise<ServedHit | undefined> {
    const raw = await this.redis.client.get(this.key(requestId));
    return raw === null ? undefined : (JSON.parse(raw) as ServedHit);
  }

  async forget(requestId: string): Promise<void> {
    await this.redis.client.unlink(this.key(requestId));
  }

  private key(requestId: string): string {
    return `${this.redis.keyPrefix}served:${requestId}`;
  }
}
