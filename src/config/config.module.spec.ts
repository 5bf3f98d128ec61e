import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfigModule } from './config.module';
import { InvalidConfigurationError } from './config.schema';

describe('AppConfigModule.load', () => {
  // The variables these cases set in a file or the environment; whatever the machine had is put back.
  const names = ['SEMANTIC_THRESHOLD', 'OPENAI_API_KEY', 'PORT', 'CACHE_TTL_SECONDS'];
  let saved: Record<string, string | undefined>;
  let dir: string;
  beforeEach(() => {
    saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    dir = mkdtempSync(join(tmpdir(), 'ragcache-config-'));
  });
  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const envFile = (lines: string[]) => {
    const path = join(dir, '.env');
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };

  it('reads the dotenv file without copying its values into process.env', async () => {
    const { config } = await AppConfigModule.load({
      envFile: envFile(['SEMANTIC_THRESHOLD=0.8', 'OPENAI_API_KEY=sk-from-the-file']),
    });
    expect(config.semantic.threshold).toBe(0.8);
    expect(config.llm.providers.openai.apiKey).toBe('sk-from-the-file');
    expect(process.env.SEMANTIC_THRESHOLD).toBeUndefined();
    expect(process.env.OPENAI_API_KEY).toBeUndefined();
  });

  it('lets the process environment win over the file', async () => {
    process.env.SEMANTIC_THRESHOLD = '0.7';
    const { config } = await AppConfigModule.load({ envFile: envFile(['SEMANTIC_THRESHOLD=0.8']) });
    expect(config.semantic.threshold).toBe(0.7);
  });

  it('reads only the given variables when there are some', async () => {
    process.env.SEMANTIC_THRESHOLD = '0.7';
    const { config } = await AppConfigModule.load({
      variables: { CACHE_TTL_SECONDS: '60' },
      envFile: envFile(['SEMANTIC_THRESHOLD=0.8']),
    });
    expect(config.cache.ttlSeconds).toBe(60);
    expect(config.semantic.threshold).toBe(0.75);
  });

  it('fails naming each invalid variable, from the file too', async () => {
    const loading = AppConfigModule.load({
      envFile: envFile(['SEMANTIC_THRESHOLD=high', 'PORT=eighty']),
    });
    await expect(loading).rejects.toBeInstanceOf(InvalidConfigurationError);
    await expect(loading).rejects.toThrow(/SEMANTIC_THRESHOLD: must be a number/);
    await expect(loading).rejects.toThrow(/PORT: must be a whole number/);
  });
});
