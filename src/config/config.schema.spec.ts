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
      SEMANTIC_THRESHOLD: 0.85,
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
        { tenant: 'acme', key: 'k1' },
        { tenant: 'globex', key: 'k:with:colons' },
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
