import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from './app-config';
import { InvalidConfigurationError, parseEnvironment } from './config.schema';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnvironment(env);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseEnvironment', () => {
  it('runs on embedded defaults when nothing is set', () => {
    const env = parseEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      CACHE_TTL_SECONDS: 86_400,
      SEMANTIC_THRESHOLD: 0.75,
      API_KEYS: [],
      RATE_LIMIT_RPM: 0,
      LOG_PROMPTS: false,
      DEFAULT_PROVIDER: 'openai',
    });
    expect(env.REDIS_URL).toBeUndefined();
    const config = new AppConfig(env);
    expect(config.redis).toBeUndefined();
    expect(config.qdrant).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    const env = parseEnvironment({ HOST: '', PORT: '', REDIS_URL: ' ', OPENAI_DEFAULT_MODEL: '' });
    expect(env).toMatchObject({ HOST: '0.0.0.0', PORT: 3000, OPENAI_DEFAULT_MODEL: 'gpt-4o-mini' });
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('parses every kind of value', () => {
    const env = parseEnvironment({
      PORT: '8080',
      SEMANTIC_THRESHOLD: '0.9',
      LOG_PROMPTS: 'TRUE',
      API_KEYS: 'acme:k1, globex:k:with:colons',
      REDIS_CLUSTER_NODES: 'r1:6379,r2:6380',
      REDIS_URL: 'rediss://cache.internal:6380/2',
      DEFAULT_PROVIDER: 'anthropic',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      SEMANTIC_THRESHOLD: 0.9,
      LOG_PROMPTS: true,
      DEFAULT_PROVIDER: 'anthropic',
      API_KEYS: [
        { tenant: 'acme', sha256: createHash('sha256').update('k1').digest('hex') },
        { tenant: 'globex', sha256: createHash('sha256').update('k:with:colons').digest('hex') },
      ],
      REDIS_CLUSTER_NODES: [
        { host: 'r1', port: 6379 },
        { host: 'r2', port: 6380 },
      ],
    });
    expect(new AppConfig(env).redis?.url).toBe('rediss://cache.internal:6380/2');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['SEMANTIC_THRESHOLD', '1.5'],
    ['SEMANTIC_THRESHOLD', 'high'],
    ['SEMANTIC_VERIFIER_SURE', '1.2'],
    ['CACHE_TTL_SECONDS', '0'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_URL', 'not a url'],
    ['OPENAI_BASE_URL', 'ftp://example'],
    ['REDIS_CLUSTER_NODES', 'r1:6379,r2'],
    ['DEFAULT_PROVIDER', 'mistral'],
    ['EMBEDDING_PROVIDER', 'word2vec'],
    ['LOG_PROMPTS', 'sometimes'],
    ['LOG_LEVEL', 'loud'],
    ['API_KEYS', 'no-colon-here'],
  ])('rejects %s=%s with a message that names the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('never echoes an API key in its message', () => {
    const problems = problemsOf({ API_KEYS: 'acme:secret-one,broken-secret-two' });
    expect(problems.join()).not.toMatch(/secret/);
  });

  it('lists every problem at once', () => {
    expect(problemsOf({ PORT: 'x', CACHE_TTL_SECONDS: '-1' })).toHaveLength(2);
  });
});

describe('secrets and access settings', () => {
  it('accepts pre-hashed keys and per-tenant rate limits', () => {
    const digest = 'AB'.repeat(32);
    const env = parseEnvironment({
      API_KEYS: `ops:sha256:${digest}`,
      RATE_LIMIT_OVERRIDES: 'ops:600, batch:10',
    });
    expect(env.API_KEYS).toEqual([{ tenant: 'ops', sha256: digest.toLowerCase() }]);
    expect(env.RATE_LIMIT_OVERRIDES).toEqual({ ops: 600, batch: 10 });
  });

  it('reads NAME_FILE secrets without their trailing newline', () => {
    const file = join(tmpdir(), `api-keys-${process.pid}`);
    writeFileSync(file, 'acme:from-file\n');
    const env = parseEnvironment({ API_KEYS_FILE: file });
    expect(env.API_KEYS).toEqual([
      { tenant: 'acme', sha256: createHash('sha256').update('from-file').digest('hex') },
    ]);
  });

  it('names the variable when a secret file is missing or doubly set', () => {
    expect(problemsOf({ ADMIN_API_KEY_FILE: '/nonexistent/secret' })).toEqual([
      expect.stringMatching(/^ADMIN_API_KEY_FILE: cannot read/),
    ]);
    expect(problemsOf({ ADMIN_API_KEY: 'x', ADMIN_API_KEY_FILE: '/etc/hostname' })).toEqual([
      expect.stringMatching(/^ADMIN_API_KEY_FILE: set either/),
    ]);
  });

  it('refuses production without API keys', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^API_KEYS: required when NODE_ENV=production/),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', API_KEYS: 'acme:k' })).toEqual([]);
  });

  it.each([
    ['RATE_LIMIT_OVERRIDES', 'ops=5'],
    ['API_KEYS', 'ops:sha256:xyz:'],
  ])('rejects %s=%s', (name, value) => {
    expect(problemsOf({ [name]: value })[0]).toMatch(new RegExp(`^${name}: `));
  });
});

describe('semantic decision settings', () => {
  it('defaults to the bundled verifier, two workers reading to the first accepted, the number and name vetoes and no judge', () => {
    const { semantic } = new AppConfig(parseEnvironment({}));
    expect(semantic.verifier).toEqual({ modelDir: undefined, workers: 2, sureScore: 0.75 });
    expect(semantic.vetoes).toEqual(['quantity', 'entity']);
    expect(semantic.judge).toMatchObject({ model: undefined, band: { low: 0.2, high: 0.8 } });
  });

  it('reads the vetoes, the judge band and the judge model', () => {
    const { semantic } = new AppConfig(
      parseEnvironment({
        SEMANTIC_VETOES: 'quantity, direction',
        SEMANTIC_JUDGE_MODEL: 'claude-haiku-4-5',
        SEMANTIC_JUDGE_BAND: '0.35, 0.7',
        SEMANTIC_COSINE_FLOOR: '0.4',
      }),
    );
    expect(semantic.vetoes).toEqual(['quantity', 'direction']);
    expect(semantic.judge).toMatchObject({
      model: 'claude-haiku-4-5',
      band: { low: 0.35, high: 0.7 },
    });
    expect(semantic.cosineFloor).toBe(0.4);
    expect(new AppConfig(parseEnvironment({ SEMANTIC_VETOES: 'none' })).semantic.vetoes).toEqual(
      [],
    );
  });

  it('names the variable of a bad band or an unknown rule', () => {
    expect(problemsOf({ SEMANTIC_JUDGE_BAND: '0.8,0.2' })).toEqual([
      expect.stringContaining('SEMANTIC_JUDGE_BAND'),
    ]);
    expect(problemsOf({ SEMANTIC_JUDGE_BAND: 'half' })).toEqual([
      expect.stringContaining('SEMANTIC_JUDGE_BAND'),
    ]);
    expect(problemsOf({ SEMANTIC_VETOES: 'quantity,tone' })).toEqual([
      expect.stringMatching(/SEMANTIC_VETOES.*unknown rule tone/),
    ]);
  });
});
