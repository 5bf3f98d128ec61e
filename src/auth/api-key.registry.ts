import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { hash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { Caller } from './caller';

export const ADMIN_TENANT = 'admin';

interface RegisteredKey {
  digest: Buffer;
  tenant: string;
  admin: boolean;
}

/** One-shot hashing: about twice as fast as createHash() for a key, on every request. */
function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

/**
 * The configured API keys, held only as SHA-256 digests. A presented key is hashed and compared
 * with every registered digest in constant time, and the loop never stops early, so neither the
 * comparison nor which entry matched leaks through timing.
 */
@Injectable()
export class ApiKeyRegistry implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyRegistry.name);
  private readonly keys: RegisteredKey[];
  private readonly metricsDigest: Buffer | undefined;

  constructor(config: AppConfig) {
    this.keys = config.auth.apiKeys.map((entry) => ({
      digest: Buffer.from(entry.sha256, 'hex'),
      tenant: entry.tenant,
      admin: false,
    }));
    if (config.auth.adminKey) {
      this.keys.push({ digest: sha256(config.auth.adminKey), tenant: ADMIN_TENANT, admin: true });
    }
    this.metricsDigest = config.auth.metricsKey ? sha256(config.auth.metricsKey) : undefined;
  }

  /** True when METRICS_API_KEY is set: `GET /metrics` then wants it. */
  get guardsMetrics(): boolean {
    return this.metricsDigest !== undefined;
  }

  /** Whether a presented key is METRICS_API_KEY, compared in constant time. */
  isMetricsKey(presentedKey: string): boolean {
    return (
      this.metricsDigest !== undefined && timingSafeEqual(this.metricsDigest, sha256(presentedKey))
    );
  }

  /** False when no key is configured: the gateway then runs open, as one anonymous tenant. */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  onModuleInit(): void {
    if (!this.enabled) {
      this.logger.warn(
        'API_KEYS is empty: authentication is off and every caller shares one cache as tenant "anonymous"',
      );
    }
  }

  identify(presentedKey: string): Caller | undefined {
    const digest = sha256(presentedKey);
    let match: RegisteredKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, digest) && match === undefined) match = key;
    }
    if (!match) return undefined;
    return {
      tenant: match.tenant,
      limitKey: `key:${digest.subarray(0, 8).toString('hex')}`,
      admin: match.admin,
    };
  }
}
