/** The tenant of a request when API keys are off: everyone shares one namespace space. */
export const ANONYMOUS_TENANT = 'anonymous';

export interface TenantAwareRequest {
  tenant?: string;
}

/**
 * The caller's tenant, as the authentication guard resolved it. A plain function rather than a
 * param decorator: Nest builds an execution context per custom decorator per request, a cost
 * the hit path measurably pays.
 */
export function tenantOf(request: TenantAwareRequest): string {
  return request.tenant ?? ANONYMOUS_TENANT;
}
