import type { FastifyReply } from 'fastify';
import { JudgeOutcome } from '../semantic/match/semantic-judge';
import { CacheStatus } from './query.service';

/** `x-cache`, and on a semantic decision `x-cache-similarity` and `x-cache-judge`: every cached route. */
export function setCacheHeaders(
  reply: FastifyReply,
  status: CacheStatus,
  similarity: number | undefined,
  judge: JudgeOutcome | undefined,
): void {
  reply.header('x-cache', status);
  if (similarity !== undefined) reply.header('x-cache-similarity', similarity.toFixed(4));
  if (judge) {
    reply.header('x-cache-judge', judge.cached ? `${judge.verdict};cached` : judge.verdict);
  }
}
