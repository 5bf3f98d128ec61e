import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The tenant of a request when API keys are off: everyone shares one namespace space. */
export const ANONYMOUS_TENANT = 'anonymous';

export interface TenantAwareRequest {
  tenant?: string;
}

/** The caller's tenant, as the authentication guard resolved it. */
export const Tenant = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<TenantAwareRequest>().tenant ?? ANONYMOUS_TENANT,
);
