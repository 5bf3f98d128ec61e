import { encodeSseEvent } from './sse';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/*
 * The SDKs pick their error class from the HTTP status; the type is what callers log and match
 * on, so it follows what each API sends for that status.
 */

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function openAIErrorType(status: number): string {
  return OPENAI_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
}

export function anthropicErrorType(status: number): string {
  return ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export interface OpenAIErrorDetails {
  /** The request field at fault, e.g. "messages". */
  param?: string;
  /** A machine-readable code, e.g. "invalid_api_key". */
  code?: string;
}

export function openAIErrorBody(
  status: number,
  message: string,
  details: OpenAIErrorDetails = {},
): OpenAIErrorBody {
  return {
    error: {
      message,
      type: openAIErrorType(status),
      param: details.param ?? null,
      code: details.code ?? null,
    },
  };
}

export function anthropicErrorBody(status: number, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}

/**
 * Ends a broken OpenAI stream: the SDK raises an APIError for any event whose data has an `error`
 * member, in Chat Completions and Responses streams alike.
 */
export function openAIStreamErrorFrame(
  status: number,
  message: string,
  details: OpenAIErrorDetails = {},
): string {
  return encodeSseEvent(openAIErrorBody(status, message, details));
}

/** Ends a broken Anthropic stream: the SDK raises an APIError for an event named `error`. */
export function anthropicStreamErrorFrame(status: number, message: string): string {
  return encodeSseEvent(anthropicErrorBody(status, message), 'error');
}
