import { Inject, Injectable } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EntryKey } from '../../libs/cache-key';
import { CachedAnswer, EXACT_CACHE_STORE, ExactCacheStore } from '../cache/exact-cache.port';
import { AppConfig } from '../config/app-config';
import { LlmService } from '../llm/llm.service';
import { PriceTable } from '../llm/price-table';
import { QueryService } from '../query/query.service';
import { SemanticCacheService } from '../semantic/semantic-cache.service';
import { ImportLineDto } from './dto/import-line.dto';
import { DtoValidator } from '../common/validation/dto-validator';

/** Lines validated, then written concurrently, per batch. */
export const IMPORT_BATCH = 500;
export const PROGRESS_EVERY = 1_000;
export const MAX_REPORTED_ERRORS = 1_000;

export interface ImportProgress {
  processed: number;
  imported: number;
  failed: number;
}

export interface ImportSummary extends ImportProgress {
  errors: { line: number; message: string }[];
  errorsTruncated: boolean;
}

interface PreparedLine {
  line: number;
  key: EntryKey;
  /** The question, for the semantic index; not kept in the exact cache. */
  query: string;
  answer: CachedAnswer;
  ttlSeconds: number;
}

class LineError extends Error {}

/** The non-blank lines of an NDJSON text with their 1-based numbers, without splitting it up front. */
function* linesOf(text: string): Generator<{ line: number; text: string }> {
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line += 1;
    const content = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
    if (content.trim() !== '') yield { line, text: content };
    start = end + 1;
  }
}

/**
 * Warms the exact cache from NDJSON: each line is validated like a query body, routed and keyed
 * exactly as `POST /api/v1/query` would be, so the same query later is a hit.
 */
@Injectable()
export class CacheImporter {
  private readonly validator = new DtoValidator();

  constructor(
    @Inject(EXACT_CACHE_STORE) private readonly store: ExactCacheStore,
    private readonly llm: LlmService,
    private readonly prices: PriceTable,
    private readonly config: AppConfig,
    private readonly semantic: SemanticCacheService,
  ) {}

  async run(
    tenant: string,
    body: string,
    options: {
      namespace: string;
      /** Also embed and index each line in the semantic cache. */
      semantic: boolean;
      onProgress?: (progress: ImportProgress) => void;
    },
  ): Promise<ImportSummary> {
    const summary: ImportSummary = {
      processed: 0,
      imported: 0,
      failed: 0,
      errors: [],
      errorsTruncated: false,
    };
    const fail = (line: number, message: string) => {
      summary.failed += 1;
      if (summary.errors.length < MAX_REPORTED_ERRORS) summary.errors.push({ line, message });
      else summary.errorsTruncated = true;
    };
    let reported = 0;
    let batch: PreparedLine[] = [];
    const flush = async () => {
      // Indexed in the semantic layer too (unless asked not to), so that a warmed cache answers
      // paraphrases.
      const results = await Promise.allSettled(
        batch.map(async (entry) => {
          await this.store.set(entry.key, entry.answer, entry.ttlSeconds);
          if (!options.semantic) return;
          await this.semantic.remember(
            entry.key,
            entry.query,
            entry.answer,
            undefined,
            entry.ttlSeconds,
          );
        }),
      );
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') summary.imported += 1;
        else fail(batch[index].line, `could not store: ${(result.reason as Error).message}`);
      });
      batch = [];
    };
    for (const { line, text } of linesOf(body)) {
      summary.processed += 1;
      try {
        batch.push(this.prepare(tenant, options.namespace, line, text));
      } catch (error) {
        fail(line, (error as Error).message);
      }
      if (summary.processed % IMPORT_BATCH === 0) {
        await flush();
        // Lets progress reach the client and other requests run during a large import.
        await yieldToEventLoop();
      }
      if (summary.processed % PROGRESS_EVERY === 0) {
        reported = summary.processed;
        options.onProgress?.(this.progressOf(summary));
      }
    }
    await flush();
    if (reported !== summary.processed) options.onProgress?.(this.progressOf(summary));
    return summary;
  }

  private progressOf({ processed, imported, failed }: ImportSummary): ImportProgress {
    return { processed, imported, failed };
  }

  private prepare(tenant: string, defaultNamespace: string, line: number, text: string) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new LineError('not valid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new LineError('must be a JSON object');
    }
    const checked = this.validator.validate(ImportLineDto, value);
    if (!checked.valid) throw new LineError(checked.message);
    const entry = checked.value;
    // Unknown provider or model: the same 400 message the query endpoint gives.
    const route = this.llm.route(entry.provider, entry.model);
    const namespace = entry.namespace ?? defaultNamespace;
    const key = QueryService.entryKey(tenant, namespace, {
      ...route,
      system: entry.system,
      messages: [{ role: 'user', content: entry.query }],
      params: { temperature: entry.temperature, max_tokens: entry.max_tokens },
    });
    const usage = {
      promptTokens: entry.usage?.prompt_tokens ?? 0,
      completionTokens: entry.usage?.completion_tokens ?? 0,
      totalTokens: (entry.usage?.prompt_tokens ?? 0) + (entry.usage?.completion_tokens ?? 0),
    };
    const costUsd =
      entry.cost_usd !== undefined
        ? entry.cost_usd
        : entry.usage
          ? this.prices.costOf(route.model, usage)
          : null;
    return {
      line,
      key,
      query: entry.query,
      answer: {
        content: entry.answer,
        provider: route.provider,
        model: route.model,
        finishReason: null,
        usage,
        costUsd,
        createdAt: Date.now(),
      },
      ttlSeconds: entry.ttl_seconds ?? this.config.cache.ttlSeconds,
    };
  }
}
