import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ChatRequest, PricedCompletion } from '../../llm/chat.types';
import { Route } from '../../llm/model-router';

/** What the judge said about one pair; `error` and `timeout` count as "no". */
export type JudgeVerdict = 'yes' | 'no' | 'error' | 'timeout';

export interface JudgeOutcome {
  verdict: JudgeVerdict;
  /** The verdict came from the per-pair cache, not from a call. */
  cached: boolean;
}

/** The part of `LlmService` the judge uses: routing and one completion. */
export interface JudgeClient {
  route(provider: string | undefined, model: string | undefined): Route;
  complete(request: ChatRequest): Promise<PricedCompletion>;
}

export interface JudgeRecorder {
  judgeCall(verdict: JudgeVerdict, cached: boolean, seconds: number, costUsd: number | null): void;
}

export interface SemanticJudgeSettings {
  model: string;
  band: { low: number; high: number };
  timeoutMs: number;
  cacheSize: number;
}

const SYSTEM = [
  'You decide whether a cached answer can be reused.',
  'Reply with one word: yes or no.',
].join(' ');

/**
 * An LLM asked, for candidates the verifier is unsure about, whether the stored question's answer
 * serves the new question. Its verdict decides those candidates; it is cached per pair, so a
 * repeated question costs one call; a timeout or an error is a miss, never a wrong hit.
 */
export class SemanticJudge {
  private readonly verdicts: LRUCache<string, 'yes' | 'no'> | undefined;
  private readonly route: Route;

  constructor(
    private readonly client: JudgeClient,
    private readonly settings: SemanticJudgeSettings,
    private readonly recorder: JudgeRecorder,
  ) {
    this.route = client.route(undefined, settings.model);
    this.verdicts = settings.cacheSize > 0 ? new LRUCache({ max: settings.cacheSize }) : undefined;
  }

  get model(): string {
    return this.route.model;
  }

  /** Whether a verifier score is uncertain enough to ask. */
  inBand(score: number): boolean {
    return score >= this.settings.band.low && score < this.settings.band.high;
  }

  async judge(stored: string, query: string): Promise<JudgeOutcome> {
    const started = performance.now();
    const key = hash('sha256', `${this.route.model}\n${stored}\n${query}`, 'base64url');
    const known = this.verdicts?.get(key);
    if (known) {
      this.recorder.judgeCall(known, true, 0, null);
      return { verdict: known, cached: true };
    }
    let verdict: JudgeVerdict;
    let costUsd: number | null = null;
    try {
      const completion = await this.withTimeout(
        this.client.complete({
          ...this.route,
          system: SYSTEM,
          messages: [{ role: 'user', content: question(stored, query) }],
          params: { temperature: 0, max_tokens: 3 },
        }),
      );
      costUsd = completion.costUsd;
      verdict = parseVerdict(completion.content);
    } catch (error) {
      verdict = error instanceof JudgeTimeout ? 'timeout' : 'error';
    }
    if (verdict === 'yes' || verdict === 'no') this.verdicts?.set(key, verdict);
    this.recorder.judgeCall(verdict, false, (performance.now() - started) / 1000, costUsd);
    return { verdict, cached: false };
  }

  private withTimeout<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JudgeTimeout()), this.settings.timeoutMs);
    });
    return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
  }
}

class JudgeTimeout extends Error {}

function question(stored: string, query: string): string {
  return [
    `Stored question: ${stored}`,
    `New question: ${query}`,
    'Is the answer to the stored question a correct and complete answer to the new question?',
    'Answer yes or no.',
  ].join('\n');
}

/** The first word decides; anything but yes or no is an error (a miss). */
export function parseVerdict(content: string): JudgeVerdict {
  const word = /^[^a-z]*([a-z]+)/i.exec(content)?.[1]?.toLowerCase();
  if (word === 'yes') return 'yes';
  if (word === 'no') return 'no';
  return 'error';
}
