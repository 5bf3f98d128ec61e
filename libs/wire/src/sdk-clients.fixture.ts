import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

/**
 * The official SDK clients, answered in-process with a canned body: what the gateway's bytes look
 * like to a caller, without a server.
 */
export interface CannedAnswer {
  status?: number;
  body: string;
  contentType?: string;
}

function cannedFetch(answer: CannedAnswer) {
  return async () =>
    new Response(answer.body, {
      status: answer.status ?? 200,
      headers: { 'content-type': answer.contentType ?? 'text/event-stream' },
    });
}

export function openAIAnswering(answer: CannedAnswer): OpenAI {
  return new OpenAI({
    apiKey: 'test',
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: cannedFetch(answer),
  });
}

export function anthropicAnswering(answer: CannedAnswer): Anthropic {
  return new Anthropic({
    apiKey: 'test',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: cannedFetch(answer),
  });
}
