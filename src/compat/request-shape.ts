import { ApiError } from '../common/errors/api-error';

/**
 * The few checks a drop-in route makes before the provider sees a body: enough that a malformed
 * request gets a 400 naming the field, in the API's own error schema, instead of a confusing
 * provider error or a crash. Everything else is the provider's to judge, so that fields the
 * gateway does not know pass through.
 */
export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_request', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export function requireModel(body: Record<string, unknown>): string {
  const { model } = body;
  if (typeof model !== 'string' || model.trim() === '') {
    throw new ApiError(400, 'invalid_request', '`model` is required and must be a string');
  }
  return model;
}

export function requireMessages(body: Record<string, unknown>, roles: readonly string[]): void {
  const { messages } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ApiError(400, 'invalid_request', '`messages` must be a non-empty array');
  }
  messages.forEach((message: unknown, index) => {
    const role = (message as { role?: unknown } | null)?.role;
    if (typeof message !== 'object' || message === null || typeof role !== 'string') {
      throw new ApiError(
        400,
        'invalid_request',
        `\`messages[${index}]\` must be an object with a role`,
      );
    }
    if (!roles.includes(role)) {
      throw new ApiError(
        400,
        'invalid_request',
        `\`messages[${index}].role\` must be one of ${roles.join(', ')}; got "${role}"`,
      );
    }
  });
}

export function optionalBoolean(body: Record<string, unknown>, field: string): void {
  if (body[field] !== undefined && typeof body[field] !== 'boolean') {
    throw new ApiError(400, 'invalid_request', `\`${field}\` must be a boolean`);
  }
}
