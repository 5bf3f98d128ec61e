import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RunningGateway, postJson, startGateway } from './support/gateway';
import { FakeProviders, startFakeProviders } from './support/providers';
import { REDIS_URL, cleanRedisPrefix, uniqueRedisPrefix } from './support/redis';

/**
 * The alert rules and the live /metrics exposition, checked by Prometheus's own promtool
 * (Debian's `prometheus` package; `.ci/run` installs it when missing). Without promtool these
 * tests fail: they never skip.
 */

const ROOT = join(__dirname, '..');
const ALERTS = 'docker/prometheus/alerts.yml';
const ALERT_TESTS = 'docker/prometheus/alerts.test.yml';

interface AlertRules {
  groups: { rules: { alert?: string; expr: string }[] }[];
}
interface AlertTests {
  tests: { alert_rule_test: { alertname: string; exp_alerts?: unknown[] }[] }[];
}
const rules = () =>
  (parse(readFileSync(join(ROOT, ALERTS), 'utf8')) as AlertRules).groups.flatMap(
    (group) => group.rules,
  );

interface PromtoolResult {
  code: number | null;
  output: string;
}

/** Runs promtool in the repository root, with `stdin` as its input, and collects what it printed. */
function promtool(args: string[], stdin = ''): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { cwd: ROOT, timeout: 15_000 });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              "promtool is not installed: install Debian's prometheus package " +
                '(apt-get install --no-install-recommends prometheus), as .ci/run does',
            )
          : error,
      ),
    );
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.on('error', () => undefined); // promtool may exit before reading all of it
    child.stdin.end(stdin);
  });
}

/** The exit code next to promtool's output, so a failure shows what promtool said. */
const outcome = ({ code, output }: PromtoolResult) => ({ code, output: output.trim() });

describe('promtool', () => {
  describe('alert rules', () => {
    it(`accepts ${ALERTS}`, async () => {
      const result = await promtool(['check', 'rules', ALERTS]);
      expect(outcome(result)).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    });

    it(`passes the unit tests in ${ALERT_TESTS}`, async () => {
      const result = await promtool(['test', 'rules', ALERT_TESTS]);
      expect(outcome(result)).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    });

    it('has a unit test for every alert, firing and silent', () => {
      const alerts = rules().flatMap((rule) => (rule.alert === undefined ? [] : [rule.alert]));
      const { tests } = parse(readFileSync(join(ROOT, ALERT_TESTS), 'utf8')) as AlertTests;
      const cases = tests.flatMap((test) => test.alert_rule_test);
      const has = (name: string, firing: boolean) =>
        cases.some((c) => c.alertname === name && Boolean(c.exp_alerts?.length) === firing);
      expect(alerts.length).toBeGreaterThan(0);
      for (const name of alerts) {
        expect({ name, firing: has(name, true), silent: has(name, false) }).toEqual({
          name,
          firing: true,
          silent: true,
        });
      }
    });
  });

  describe('GET /metrics', () => {
    let providers: FakeProviders;
    let gateway: RunningGateway;
    let scrape: string;
    const prefix = uniqueRedisPrefix('prometheus');

    beforeAll(async () => {
      providers = await startFakeProviders();
      gateway = await startGateway({
        ...providers.env,
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        API_KEYS: 'acme:prometheus-key',
        RATE_LIMIT_RPM: '3',
      });
      // A miss, a hit, a provider error and a refusal, so the counters and histograms the
      // alerts read have series with labels, not only HELP and TYPE lines.
      const query = (body: object) =>
        postJson(`${gateway.url}/api/v1/query`, body, { authorization: 'Bearer prometheus-key' });
      expect((await query({ query: 'Is this scraped?' })).status).toBe(200);
      expect((await query({ query: 'Is this scraped?' })).headers.get('x-cache')).toBe('HIT');
      providers.openai.failNext({ kind: 'status', status: 500 });
      expect((await query({ query: 'Does this fail?' })).status).toBe(502);
      expect((await query({ query: 'One too many?' })).status).toBe(429);
      expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);
      const response = await fetch(`${gateway.url}/metrics`);
      expect(response.status).toBe(200);
      scrape = await response.text();
    });
    afterAll(async () => {
      await gateway?.close();
      await providers?.close();
      await cleanRedisPrefix(prefix);
    });

    // promtool exits 3 on lint problems (names, HELP, units), 1 on text it cannot parse.
    it('passes promtool check metrics', async () => {
      const result = await promtool(['check', 'metrics'], scrape);
      expect(outcome(result)).toEqual({ code: 0, output: '' });
    });

    it('has a series for every ragcache_* metric the alerts query', () => {
      const queried = new Set(rules().flatMap((rule) => rule.expr.match(/\bragcache_\w+/g) ?? []));
      expect(queried.size).toBeGreaterThan(0);
      const scraped = new Set(scrape.split('\n').map((line) => /^(\w+)[{ ]/.exec(line)?.[1]));
      expect([...queried].filter((name) => !scraped.has(name))).toEqual([]);
    });
  });
});
