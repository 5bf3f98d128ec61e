import { anthropicErrorBody, openAIErrorBody } from '../../../libs/wire';
import type { ErrorEnvelope } from './error-envelope.filter';

/**
 * The drop-in routes answer errors in the schema of the API they imitate, so that the official
 * SDKs raise their own typed errors with the message: Anthropic's under `/v1/messages`, OpenAI's
 * under the rest of `/v1/`. Every other route keeps the gateway's envelope.
 */
export function inRouteSchema(path: string, status: number, envelope: ErrorEnvelope): object {
  if (!path.startsWith('/v1/')) return envelope;
  const { code, message } = envelope.error;
  if (path === '/v1/messages' || path.startsWith('/v1/messages?')) {
    return anthropicErrorBody(status, message);
  }
  return openAIErrorBody(status, message, { code });
}
