import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { API_KEY_SCHEMES } from '../common/openapi/openapi';

const SCHEMAS = {
  openai: {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          message: { type: 'string' },
          type: { type: 'string', example: 'invalid_request_error' },
          param: { type: 'string', nullable: true },
          code: { type: 'string', nullable: true, example: 'invalid_request' },
        },
      },
    },
  },
  anthropic: {
    type: 'object',
    properties: {
      type: { type: 'string', example: 'error' },
      error: {
        type: 'object',
        properties: {
          type: { type: 'string', example: 'invalid_request_error' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

const STATUSES: Record<number, string> = {
  400: 'Bad input: not JSON, a missing or malformed field, an unknown model, or the provider rejected the request',
  401: 'Missing or invalid API key (when API_KEYS is set)',
  429: 'Rate limited (RATE_LIMIT_RPM) or the provider is rate limiting; see Retry-After',
  502: 'The provider failed or could not be reached',
  503: 'The provider is not configured, or calls to it are paused after repeated failures',
  504: 'The provider did not answer within LLM_TIMEOUT_MS',
};

/** The errors of a drop-in route, in the schema of the API it imitates, which the SDKs raise. */
export function DropInErrors(api: keyof typeof SCHEMAS): MethodDecorator {
  return applyDecorators(
    ...API_KEY_SCHEMES.map((scheme) => ApiSecurity(scheme)),
    ...Object.entries(STATUSES).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, schema: SCHEMAS[api] }),
    ),
  );
}
