import { ProviderName } from '../config/app-config';
import { ApiError } from '../common/errors/api-error';

const MESSAGE_LIMIT = 500;

export interface UpstreamFailure {
  provider: ProviderName;
  /** HTTP status from the provider, undefined when no answer came. */
  status?: number;
  timedOut?: boolean;
  retryAfter?: string | null;
  message?: string;
}

/**
 * Maps a provider failure to what our caller should see. The provider's own message is passed on
 * only for requests it rejected as invalid (it explains the caller's mistake); a rejected gateway
 * key is the operator's problem, so the caller gets a 502 without details.
 */
export function upstreamError(failure: UpstreamFailure): ApiError {
  const { provider, status } = failure;
  if (failure.timedOut) {
    return new ApiError(504, 'upstream_timeout', `${provider} did not answer in time`);
  }
  if (status === undefined) {
    return new ApiError(502, 'upstream_unreachable', `${provider} could not be reached`);
  }
  if (status === 429) {
    const retryAfter = Number(failure.retryAfter);
    const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : 1;
    return new ApiError(429, 'upstream_rate_limited', `${provider} is rate limiting requests`, {
      'retry-after': String(seconds),
    });
  }
  if (status === 401 || status === 403) {
    return new ApiError(
      502,
      'upstream_auth_failed',
      `${provider} rejected the gateway's credentials`,
    );
  }
  if (status >= 400 && status < 500) {
    const detail = (failure.message ?? '').slice(0, MESSAGE_LIMIT);
    return new ApiError(
      400,
      'upstream_rejected_request',
      `${provider} rejected the request: ${detail}`,
    );
  }
  return new ApiError(502, 'upstream_error', `${provider} failed with status ${status}`);
}

interface SdkErrorClasses {
  timeout: abstract new (...args: never[]) => Error;
  abort: abstract new (...args: never[]) => Error;
  api: abstract new (...args: never[]) => Error & { status?: number; headers?: Headers };
}

/**
 * Both SDKs raise the same error family; this turns one of them into our `ApiError`. The call's
 * deadline is our own abort signal: the SDKs report it as a user abort, which, unlike their own
 * timeout detection, does not depend on how the runtime's fetch shapes its abort error.
 */
export function fromSdkError(
  provider: ProviderName,
  error: unknown,
  classes: SdkErrorClasses,
  deadline: AbortSignal,
): Error {
  if (error instanceof classes.timeout || (error instanceof classes.abort && deadline.aborted)) {
    return upstreamError({ provider, timedOut: true });
  }
  if (error instanceof classes.api) {
    return upstreamError({
      provider,
      status: error.status,
      retryAfter: error.headers?.get('retry-after'),
      message: error.message,
    });
  }
  return error as Error;
}
