import { HttpException } from '@nestjs/common';

/**
 * An error the caller is meant to see: an HTTP status, a stable machine-readable code and a
 * message that is safe to show (no stack, no provider key, no other tenant's data).
 */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message, status);
  }
}
