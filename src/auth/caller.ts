/** The tenant of every request while API keys are off: one shared cache space. */
export const ANONYMOUS_TENANT = 'anonymous';

/** Who sent a request, as the API-key guard resolved it. */
export interface Caller {
  /** The cache namespace space of the caller; keys of one tenant share entries. */
  tenant: string;
  /** What the rate limit counts by: a digest prefix of the key, or the client address when auth is off. Never the key. */
  limitKey: string;
  /** The ADMIN_API_KEY: may manage every tenant's entries. */
  admin: boolean;
}

export interface CallerAwareRequest {
  caller?: Caller;
}

export function callerOf(request: CallerAwareRequest): Caller {
  return request.caller ?? { tenant: ANONYMOUS_TENANT, limitKey: 'anonymous', admin: false };
}
