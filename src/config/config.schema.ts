import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** An empty variable counts as unset, as in most deploy tooling. */
const text = (fallback: string) => optionalString.transform((value) => value ?? fallback);

const url = (protocols: string[]) =>
  optionalString.refine(
    (value) => {
      if (value === undefined) return true;
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

const integer = (fallback: number, min: number, max: number) =>
  optionalString
    .refine((value) => value === undefined || /^\d+$/.test(value), {
      message: 'must be a whole number',
    })
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe(z.number().int().min(min).max(max));

const number = (fallback: number, min: number, max: number) =>
  optionalString
    .refine((value) => value === undefined || Number.isFinite(Number(value)), {
      message: 'must be a number',
    })
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe(z.number().min(min).max(max));

const boolean = (fallback: boolean) =>
  optionalString
    .refine((value) => value === undefined || /^(true|false|1|0)$/i.test(value), {
      message: 'must be true or false',
    })
    .transform((value) => (value === undefined ? fallback : /^(true|1)$/i.test(value)));

const choice = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  optionalString.pipe(z.enum(values).optional()).transform((value) => value ?? fallback);

/** A configured API key: the plain key is hashed at once, so only digests stay in memory. */
export interface ApiKeyEntry {
  tenant: string;
  /** SHA-256 of the key, hex. */
  sha256: string;
}

const TENANT_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const apiKeys = optionalString.transform((value, ctx) => {
  const keys: ApiKeyEntry[] = [];
  const pairs = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const [index, pair] of pairs.entries()) {
    const separator = pair.indexOf(':');
    const tenant = pair.slice(0, separator);
    const secret = pair.slice(separator + 1);
    const hashed = /^sha256:([0-9a-fA-F]{64})$/.exec(secret);
    const malformedDigest = secret.startsWith('sha256:') && !hashed;
    if (separator <= 0 || secret === '' || malformedDigest || !TENANT_PATTERN.test(tenant)) {
      // The entry holds a secret, so the message names its position, never its text.
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} must be tenant:key or tenant:sha256:HEX (tenant of letters, digits, . _ -)`,
      });
      return z.NEVER;
    }
    keys.push({
      tenant,
      sha256: hashed ? hashed[1].toLowerCase() : createHash('sha256').update(secret).digest('hex'),
    });
  }
  return keys;
});

const rateLimitOverrides = optionalString.transform((value, ctx) => {
  const overrides: Record<string, number> = {};
  for (const pair of (value ?? '').split(',').map((part) => part.trim())) {
    if (pair === '') continue;
    const match = /^([A-Za-z0-9._-]{1,64}):(\d{1,8})$/.exec(pair);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" must be tenant:requests-per-minute` });
      return z.NEVER;
    }
    overrides[match[1]] = Number(match[2]);
  }
  return overrides;
});

const redisClusterNodes = optionalString.transform((value, ctx) => {
  if (value === undefined) return [];
  const nodes = value.split(',').map((node) => node.trim());
  const parsed: { host: string; port: number }[] = [];
  for (const node of nodes) {
    const match = /^([^:\s]+):(\d{1,5})$/.exec(node);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `"${node}" must be host:port` });
      return z.NEVER;
    }
    parsed.push({ host: match[1], port: Number(match[2]) });
  }
  return parsed;
});

const VETO_RULES = ['quantity', 'entity', 'negation', 'direction', 'constraint'] as const;

/** Look-alike rules that refuse a candidate whatever the verifier says; `none` for no rule. */
const vetoes = optionalString.transform((value, ctx) => {
  if (value === 'none') return [];
  const rules = (value ?? 'quantity,entity').split(',').map((rule) => rule.trim());
  const unknown = rules.filter((rule) => !(VETO_RULES as readonly string[]).includes(rule));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown rule ${unknown.join(', ')}: use none or a list of ${VETO_RULES.join(', ')}`,
    });
    return z.NEVER;
  }
  return rules as (typeof VETO_RULES)[number][];
});

/** `low,high`: verifier scores in [low, high) are asked to the judge. */
const judgeBand = optionalString.transform((value, ctx) => {
  const match = /^\s*(\d*\.?\d+)\s*,\s*(\d*\.?\d+)\s*$/.exec(value ?? '0.2,0.8');
  const low = Number(match?.[1]);
  const high = Number(match?.[2]);
  if (!match || !(low >= 0 && low < high && high <= 1)) {
    ctx.addIssue({ code: 'custom', message: 'must be low,high with 0 <= low < high <= 1' });
    return z.NEVER;
  }
  return { low, high };
});

/** Every environment variable the service reads, with its default. Unknown variables are ignored. */
export const environmentSchema = z.object({
  NODE_ENV: optionalString,
  PORT: integer(3000, 0, 65535),
  HOST: text('0.0.0.0'),
  BODY_LIMIT_BYTES: integer(1_048_576, 1024, 64 * 1_048_576),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url(['http:', 'https:']),
  OPENAI_DEFAULT_MODEL: text('gpt-4o-mini'),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: url(['http:', 'https:']),
  ANTHROPIC_DEFAULT_MODEL: text('claude-haiku-4-5'),
  DEFAULT_PROVIDER: choice(['openai', 'anthropic'], 'openai'),
  LLM_TIMEOUT_MS: integer(60_000, 100, 600_000),
  LLM_MAX_RETRIES: integer(2, 0, 10),
  LLM_CIRCUIT_FAILURES: integer(5, 0, 1000),
  LLM_CIRCUIT_OPEN_SECONDS: integer(30, 1, 3600),
  PRICING_FILE: optionalString,

  REDIS_URL: url(['redis:', 'rediss:']),
  REDIS_CLUSTER_NODES: redisClusterNodes,
  REDIS_KEY_PREFIX: text('ragcache:'),
  REDIS_COMMAND_TIMEOUT_MS: integer(500, 10, 60_000),
  QDRANT_URL: url(['http:', 'https:']),
  QDRANT_API_KEY: optionalString,
  DATA_DIR: text('./data'),
  EMBEDDING_PROVIDER: choice(['use-lite', 'transformers', 'openai'], 'use-lite'),
  EMBEDDING_MODEL: optionalString,
  EMBEDDING_ALLOW_REMOTE: boolean(false),
  EMBEDDING_CACHE_SIZE: integer(10_000, 0, 10_000_000),
  EMBEDDING_BATCH_SIZE: integer(32, 1, 1024),
  EMBEDDING_BATCH_WAIT_MS: integer(1, 0, 1000),
  EMBEDDING_WORKERS: integer(2, 0, 64),
  SEMANTIC_CACHE: boolean(true),
  SEMANTIC_THRESHOLD: number(0.75, 0, 1),
  SEMANTIC_CANDIDATES: integer(5, 1, 100),
  SEMANTIC_INDEX_QUANTIZATION: choice(['i8', 'f16', 'f32'], 'i8'),
  SEMANTIC_COSINE_FLOOR: number(0.5, -1, 1),
  SEMANTIC_VETOES: vetoes,
  SEMANTIC_VERIFIER_MODEL: optionalString,
  SEMANTIC_VERIFIER_WORKERS: integer(2, 0, 64),
  SEMANTIC_VERIFIER_SURE: number(0.75, 0, 1),
  SEMANTIC_JUDGE_MODEL: optionalString,
  SEMANTIC_JUDGE_BAND: judgeBand,
  SEMANTIC_JUDGE_TIMEOUT_MS: integer(3000, 100, 60_000),
  SEMANTIC_JUDGE_CACHE_SIZE: integer(10_000, 0, 10_000_000),
  SEMANTIC_SPECULATIVE_STREAMS: boolean(true),

  CACHE_TTL_SECONDS: integer(86_400, 1, 31_536_000),
  CACHE_MAX_ENTRIES: integer(100_000, 1, 100_000_000),
  CACHE_MAX_BYTES: integer(256 * 1_048_576, 1024, 64 * 1024 * 1_048_576),

  API_KEYS: apiKeys,
  ADMIN_API_KEY: optionalString,
  METRICS_API_KEY: optionalString,
  RATE_LIMIT_RPM: integer(0, 0, 10_000_000),
  RATE_LIMIT_OVERRIDES: rateLimitOverrides,
  CORS_ORIGINS: optionalString,
  LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'info'),
  LOG_PROMPTS: boolean(false),
});

export type Environment = z.output<typeof environmentSchema>;

export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/** Secrets that may come from a mounted file (Kubernetes or Docker secrets) as `NAME_FILE`. */
export const SECRET_VARIABLES = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'API_KEYS',
  'ADMIN_API_KEY',
  'METRICS_API_KEY',
  'QDRANT_API_KEY',
  'REDIS_URL',
] as const;

function withSecretFiles(
  env: Record<string, string | undefined>,
  problems: string[],
): Record<string, string | undefined> {
  const resolved = { ...env };
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) {
      problems.push(`${name}_FILE: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      // Mounted secrets usually end with a newline that is not part of the value.
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  return resolved;
}

/** Parses the environment once; every problem names its variable, so a bad deploy fails loudly at start. */
export function parseEnvironment(env: Record<string, string | undefined>): Environment {
  const problems: string[] = [];
  const result = environmentSchema.safeParse(withSecretFiles(env, problems));
  if (!result.success) {
    problems.push(
      ...result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  } else if (result.data.NODE_ENV === 'production' && result.data.API_KEYS.length === 0) {
    problems.push(
      'API_KEYS: required when NODE_ENV=production (an open gateway shares one cache with anyone who can reach it)',
    );
  }
  if (problems.length > 0 || !result.success) throw new InvalidConfigurationError(problems);
  return result.data;
}
