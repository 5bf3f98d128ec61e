import { Caller } from '../auth/caller';
import { ApiError } from '../common/errors/api-error';

/**
 * Which tenant an admin call acts on. A tenant key acts on its own tenant and may name only that
 * one; the admin key may name any. Undefined means "every tenant" (admin key, no `tenant`).
 */
export function scopeOf(caller: Caller, requested: string | undefined): string | undefined {
  if (requested !== undefined && !caller.admin && requested !== caller.tenant) {
    throw new ApiError(403, 'forbidden', 'This API key may only manage its own tenant');
  }
  return requested ?? (caller.admin ? undefined : caller.tenant);
}

/** Like `scopeOf`, for routes that act on one tenant: the admin key must name it. */
export function tenantOf(caller: Caller, requested: string | undefined): string {
  const tenant = scopeOf(caller, requested);
  if (tenant === undefined) {
    throw new ApiError(400, 'tenant_required', 'With the admin key, name the tenant: ?tenant=NAME');
  }
  return tenant;
}
