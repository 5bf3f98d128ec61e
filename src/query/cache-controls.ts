import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import { ApiError } from '../common/errors/api-error';

export const NAMESPACE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const DEFAULT_NAMESPACE = 'default';
export const MAX_TTL_SECONDS = 31_536_000;

/** class-validator check of a namespace field, the same in every DTO that takes one. */
export const IsCacheNamespace = () =>
  applyDecorators(
    Matches(NAMESPACE_PATTERN, {
      message: '$property must be 1 to 64 letters, digits, dots, underscores or hyphens',
    }),
    IsString(),
  );

/** How one request may use the cache, from its headers and (for /api/v1/query) its body. */
export interface CacheControls {
  /** False for `Cache-Control: no-cache` or `use_cache: false`: skip the lookup. */
  lookup: boolean;
  /** False for `Cache-Control: no-store` or `use_cache: false`: do not store the answer. */
  store: boolean;
  /** `use_cache: false`: neither read nor write, and no sharing with concurrent requests. */
  bypass: boolean;
  ttlSeconds: number;
  namespace: string;
  /** `x-cache-threshold` or `semantic_threshold`: the match score a semantic hit needs; undefined = SEMANTIC_THRESHOLD. */
  threshold: number | undefined;
}

export interface CacheControlInput {
  cacheControl?: string;
  ttlHeader?: string;
  namespaceHeader?: string;
  thresholdHeader?: string;
  useCache?: boolean;
  ttlSeconds?: number;
  namespace?: string;
  threshold?: number;
}

function parseTtlHeader(value: string): number {
  const ttl = /^\d{1,9}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(ttl >= 1 && ttl <= MAX_TTL_SECONDS)) {
    throw new ApiError(
      400,
      'invalid_header',
      `x-cache-ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`,
    );
  }
  return ttl;
}

function parseThresholdHeader(value: string): number {
  const threshold = /^\s*(0(\.\d+)?|1(\.0+)?|\.\d+)\s*$/.test(value) ? Number(value) : NaN;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new ApiError(400, 'invalid_header', 'x-cache-threshold must be a number from 0 to 1');
  }
  return threshold;
}

/** The request headers every cached route reads its cache controls from. */
export function cacheControlHeaders(
  headers: Record<string, string | string[] | undefined>,
): Pick<CacheControlInput, 'cacheControl' | 'ttlHeader' | 'namespaceHeader' | 'thresholdHeader'> {
  const one = (name: string) => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    cacheControl: one('cache-control'),
    ttlHeader: one('x-cache-ttl'),
    namespaceHeader: one('x-cache-namespace'),
    thresholdHeader: one('x-cache-threshold'),
  };
}

/** Body fields win over headers: they are the more specific of the two. */
export function readCacheControls(input: CacheControlInput, defaultTtl: number): CacheControls {
  const directives = new Set(
    (input.cacheControl ?? '')
      .toLowerCase()
      .split(',')
      .map((directive) => directive.trim()),
  );
  const namespace = input.namespace ?? input.namespaceHeader ?? DEFAULT_NAMESPACE;
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new ApiError(
      400,
      'invalid_header',
      'x-cache-namespace must be 1 to 64 letters, digits, dots, underscores or hyphens',
    );
  }
  const bypass = input.useCache === false;
  return {
    bypass,
    lookup: !bypass && !directives.has('no-cache'),
    store: !bypass && !directives.has('no-store'),
    ttlSeconds:
      input.ttlSeconds ??
      (input.ttlHeader === undefined ? defaultTtl : parseTtlHeader(input.ttlHeader)),
    namespace,
    threshold:
      input.threshold ??
      (input.thresholdHeader === undefined
        ? undefined
        : parseThresholdHeader(input.thresholdHeader)),
  };
}
