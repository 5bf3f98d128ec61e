import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../errors/error-envelope.dto';
import { API_KEY_SCHEMES } from './openapi';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad input: invalid JSON, a field of the wrong type or out of range, an unknown field, provider or model, a bad cache header',
  401: 'Missing or invalid API key (when API_KEYS is set)',
  403: 'The key may not act on that tenant',
  404: 'Not found',
  413: 'Body larger than BODY_LIMIT_BYTES (1 MB by default)',
  415: 'The body is not JSON',
  429: 'Rate limited (RATE_LIMIT_RPM) or the provider is rate limiting; see Retry-After',
  502: 'The provider failed, could not be reached, or rejected the gateway’s credentials',
  503: 'The provider is not configured on this gateway, or failed repeatedly and calls are paused (Retry-After)',
  504: 'The provider did not answer within LLM_TIMEOUT_MS',
};

/** Documents the error envelope for the given statuses, and the API-key schemes. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...API_KEY_SCHEMES.map((scheme) => ApiSecurity(scheme)),
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorEnvelopeDto }),
    ),
  );
}
