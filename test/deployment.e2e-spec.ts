import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SECRET_VARIABLES, environmentSchema } from '../src/config/config.schema';
import { METRIC } from '../src/metrics/gateway-metrics';

/**
 * Deployment files (docker/, deploy/) cannot be built or run on this machine: no Docker engine,
 * no cluster. This suite parses every one of them and checks that they agree with each other and
 * with the service (routes, port, environment variables, metric names).
 */

const ROOT = join(__dirname, '..');
const DOCKER = join(ROOT, 'docker');
const K8S = join(ROOT, 'deploy', 'k8s');

// Mirrors the health and metrics controllers: the only paths a probe or a scraper may call.
const ROUTES = ['/health/live', '/health/ready', '/metrics'];
// Every route of the service, for `route="..."` matchers in alerts and dashboards.
const ALL_ROUTES = [...ROUTES, '/api/v1/query', '/docs', '/docs-json'];

// The gateway's own metrics come from its registry (src/metrics/); these two are histograms.
const RAGCACHE_METRICS: string[] = Object.values(METRIC);
const RAGCACHE_HISTOGRAMS: string[] = [METRIC.requestDuration, METRIC.llmDuration];
/** Series that exist in Prometheus: a histogram is queried through its _bucket/_sum/_count series. */
const RAGCACHE_SERIES = new Set(
  RAGCACHE_METRICS.flatMap((name) =>
    RAGCACHE_HISTOGRAMS.includes(name)
      ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
      : [name],
  ),
);

/** Every variable the service reads, plus NAME_FILE for the secrets. */
const SECRET_NAMES: readonly string[] = SECRET_VARIABLES;
const KNOWN_ENV = new Set([
  ...Object.keys(environmentSchema.shape),
  ...SECRET_NAMES.map((name) => `${name}_FILE`),
]);

// ---------------------------------------------------------------- files and parsing

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const rel = (path: string) => relative(ROOT, path);
const read = (path: string) => readFileSync(path, 'utf8');

const CONFIG_FILES = [...filesUnder(DOCKER), ...filesUnder(join(ROOT, 'deploy'))]
  .filter((path) => /\.(ya?ml|json)$/.test(path))
  .sort();

function parseYaml(path: string): unknown[] {
  const documents = parseAllDocuments(read(path), { uniqueKeys: true });
  const problems = Array.from(documents).flatMap((document) =>
    [...document.errors, ...document.warnings].map((issue) => `${issue.code}: ${issue.message}`),
  );
  if (problems.length > 0) throw new Error(`${rel(path)}:\n${problems.join('\n')}`);
  return Array.from(documents).map((document) => document.toJS() as unknown);
}

function parseFile(path: string): unknown[] {
  return path.endsWith('.json') ? [JSON.parse(read(path)) as unknown] : parseYaml(path);
}

/** The single document of a YAML file, typed by the caller. */
function yamlFile<T>(path: string): T {
  const documents = parseYaml(path);
  if (documents.length !== 1) throw new Error(`${rel(path)}: expected one document`);
  return documents[0] as T;
}

// ---------------------------------------------------------------- small shapes read below

type Labels = Record<string, string>;
interface HttpProbe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
  };
  startupProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  readinessProbe?: HttpProbe;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels; annotations?: Labels };
  // Kind-specific bodies, narrowed where they are read.
  spec?: unknown;
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
}
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Labels };
  template: {
    metadata: { labels: Labels; annotations?: Labels };
    spec: {
      securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
      containers: Container[];
      volumes?: { name: string; emptyDir?: object }[];
    };
  };
}
interface ComposeService {
  build?: { context: string; dockerfile?: string };
  image?: string;
  command?: string[] | string;
  environment?: Record<string, unknown>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] | string };
  depends_on?: string[] | Record<string, unknown>;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}
interface PrometheusConfig {
  rule_files?: string[];
  scrape_configs: {
    job_name: string;
    metrics_path?: string;
    scrape_interval?: string;
    static_configs?: { targets: string[] }[];
  }[];
}
interface AlertRules {
  groups: {
    name: string;
    rules: {
      alert?: string;
      record?: string;
      expr: string;
      for?: string;
      labels?: Labels;
      annotations?: Labels;
    }[];
  }[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: { expr?: string; refId: string }[];
  }[];
  templating?: { list: { name: string; type: string; query?: unknown; current?: unknown }[] };
}

// ---------------------------------------------------------------- Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions of a Dockerfile: continuation lines joined, comments and directives dropped. */
function dockerInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.trimEnd();
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole === '') continue;
    const match = /^(\w+)\s+([\s\S]*)$/.exec(whole);
    if (!match) throw new Error(`unreadable Dockerfile line: ${whole}`);
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim() });
  }
  return instructions;
}

/** KEY=value pairs of an ENV instruction (or the legacy `ENV KEY value`). */
function envKeys(args: string): string[] {
  if (!args.includes('=')) return [args.split(/\s+/)[0]];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((match) => match[1]);
}

// ---------------------------------------------------------------- URLs and PromQL

/** Paths (and ports) of the http URLs in a command line. */
function urlsIn(text: string): { port: number; path: string }[] {
  return [...text.matchAll(/https?:\/\/[^\s'"`/]+(\/[^\s'"`)]*)?/g)].map((match) => {
    const url = new URL(match[0]);
    return { port: Number(url.port || 80), path: url.pathname };
  });
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Metric names referenced by a PromQL expression (Grafana variables allowed). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names = [...bare.matchAll(/(?<![\w:.])[A-Za-z_:][\w:]*(?![\w:])(?!\s*\()/g)].map(
    (match) => match[0],
  );
  return [...new Set(names.filter((name) => !PROMQL_KEYWORDS.has(name.toLowerCase())))];
}

function isKnownMetric(name: string): boolean {
  if (name.startsWith('ragcache_')) return RAGCACHE_SERIES.has(name);
  return name === 'up' || name.startsWith('process_') || name.startsWith('nodejs_');
}

/** Values of `route="..."` matchers. */
function routeMatchers(expr: string): string[] {
  return [...expr.matchAll(/\broute\s*=\s*"([^"]*)"/g)].map((match) => match[1]);
}

// Label values the gateway records (GatewayMetrics, CacheStatus in query.service.ts, the x-cache
// header or NONE); an equality matcher on any other value would select nothing.
const LABEL_VALUES: Record<string, string[]> = {
  layer: ['exact', 'semantic'],
  result: ['hit', 'miss', 'error'],
  kind: ['prompt', 'completion'],
  cache: ['HIT', 'MISS', 'BYPASS', 'NONE'],
};

/** `label="value"` equality matchers on the labels above whose value is not one recorded. */
function unknownLabelValues(expr: string): string[] {
  return [...expr.matchAll(/\b(\w+)\s*=\s*"([^"]*)"/g)]
    .filter(([, label, value]) => LABEL_VALUES[label] && !LABEL_VALUES[label].includes(value))
    .map(([matcher]) => matcher);
}

/** Every `expr` string anywhere in a JSON value (Grafana targets). */
function exprsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(exprsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'expr' && typeof inner === 'string' ? [inner] : exprsIn(inner),
  );
}

// ---------------------------------------------------------------- compose helpers

/** Container port of a compose `ports` entry ("3000:3000", "127.0.0.1:6333:6333/tcp"). */
const containerPortOf = (entry: string) => Number(entry.split(':').pop()?.split('/')[0]);

/** Bind mounts of a service: host path resolved from docker/, container path. */
function bindMounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? [])
    .map((entry) => entry.split(':'))
    .filter(([source]) => source.startsWith('.') || source.startsWith('/'))
    .map(([source, target]) => ({ source: resolve(DOCKER, source), target }));
}

function subsetOf(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

// =================================================================== the checks

describe('deployment files', () => {
  describe('every YAML and JSON file under docker/ and deploy/ parses', () => {
    it('finds the files', () => {
      const found = CONFIG_FILES.map(rel);
      for (const expected of [
        'docker/compose.yaml',
        'docker/prometheus/prometheus.yml',
        'docker/prometheus/alerts.yml',
        'docker/grafana/dashboards/rag-cache.json',
        'deploy/k8s/kustomization.yaml',
        'deploy/k8s/deployment.yaml',
      ]) {
        expect(found).toContain(expected);
      }
    });

    it.each(CONFIG_FILES.map((path) => [rel(path), path]))('%s', (_name, path) => {
      const documents = parseFile(path);
      expect(documents.length).toBeGreaterThan(0);
      for (const document of documents) expect(document).toEqual(expect.any(Object));
    });
  });

  describe('checker self-test', () => {
    it('extracts metric names from PromQL, not functions, labels, keywords or variables', () => {
      expect(
        metricNames(
          'histogram_quantile(0.99, sum by (le, cache) (rate(a_bucket{route="/x", s!~"2.."}[$__rate_interval])))' +
            ' / on (job) group_left(instance) b > 1e3 and absent(up{job="x"}) offset 5m',
        ).sort(),
      ).toEqual(['a_bucket', 'b', 'up']);
    });

    it('reads Dockerfile instructions across continuation lines', () => {
      expect(dockerInstructions('# c\nFROM a AS b\nRUN x \\\n  && y\n')).toEqual([
        { keyword: 'FROM', args: 'a AS b' },
        { keyword: 'RUN', args: expect.stringMatching(/^x\s+&& y$/) },
      ]);
    });
  });

  describe('Dockerfile', () => {
    // Loaded in beforeAll, so an unreadable file fails these tests rather than the whole suite.
    let instructions: Instruction[];
    let froms: Instruction[];
    let finalStage: Instruction[];
    let exposed: number[];
    const inFinal = (keyword: string) => finalStage.filter((i) => i.keyword === keyword);
    beforeAll(() => {
      instructions = dockerInstructions(read(join(DOCKER, 'Dockerfile')));
      froms = instructions.filter((instruction) => instruction.keyword === 'FROM');
      finalStage = instructions.slice(instructions.lastIndexOf(froms[froms.length - 1]));
      exposed = inFinal('EXPOSE').flatMap((i) => i.args.split(/\s+/).map((p) => parseInt(p)));
    });

    it('is multi-stage on a Node image satisfying package.json engines', () => {
      expect(froms.length).toBeGreaterThanOrEqual(2);
      const stageNames: string[] = [];
      for (const from of froms) {
        const [image, as, name] = from.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
        if (!stageNames.includes(image)) {
          expect(image).toMatch(/^node:(\d+)/);
          expect(Number(/^node:(\d+)/.exec(image)?.[1])).toBeGreaterThanOrEqual(20);
        }
        if (as) {
          expect(as.toUpperCase()).toBe('AS');
          stageNames.push(name);
        }
      }
      for (const copy of instructions.filter((i) => i.keyword === 'COPY')) {
        const from = /--from=(\S+)/.exec(copy.args)?.[1];
        if (from) expect(stageNames).toContain(from);
      }
    });

    it('runs the final stage as a non-root user', () => {
      const users = inFinal('USER');
      expect(users.length).toBeGreaterThan(0);
      const user = users[users.length - 1].args.split(':')[0];
      expect(['root', '0']).not.toContain(user);
    });

    it('sets NODE_ENV=production and only variables the service reads', () => {
      const env = inFinal('ENV').map((i) => i.args);
      expect(env.join(' ')).toMatch(/(^|\s)NODE_ENV=production(\s|$)/);
      for (const key of env.flatMap(envKeys)) expect(KNOWN_ENV).toContain(key);
    });

    it('exposes the port the service listens on and declares the data dir a volume', () => {
      expect(exposed).toContain(3000);
      const dataDir = /(?:^|\s)DATA_DIR=(\S+)/.exec(
        inFinal('ENV')
          .map((i) => i.args)
          .join(' '),
      );
      expect(dataDir).not.toBeNull();
      expect(
        inFinal('VOLUME')
          .map((i) => i.args)
          .join(' '),
      ).toContain(dataDir?.[1]);
    });

    it('health-checks a real route on the exposed port', () => {
      const checks = inFinal('HEALTHCHECK');
      expect(checks).toHaveLength(1);
      const urls = urlsIn(checks[0].args);
      expect(urls.length).toBeGreaterThan(0);
      for (const { port, path } of urls) {
        expect(ROUTES).toContain(path);
        expect(exposed).toContain(port);
      }
    });

    it('starts the service the way `npm run start:prod` does', () => {
      const cmd = inFinal('CMD');
      expect(cmd).toHaveLength(1);
      const argv = JSON.parse(cmd[0].args) as string[];
      const scripts = (
        JSON.parse(read(join(ROOT, 'package.json'))) as {
          scripts: Record<string, string>;
        }
      ).scripts;
      expect(argv).toEqual(scripts['start:prod'].split(/\s+/));
    });

    it('copies only paths that exist, and its ignore file lets them into the context', () => {
      const ignore = join(DOCKER, 'Dockerfile.dockerignore');
      expect(existsSync(ignore)).toBe(true);
      const patterns = read(ignore)
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
      const sources = instructions
        .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
        .flatMap((i) => {
          const words = i.args.split(/\s+/).filter((word) => !word.startsWith('--'));
          return words.slice(0, -1);
        });
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        expect(existsSync(join(ROOT, source))).toBe(true);
        if (patterns[0] === '*' || patterns[0] === '**') {
          expect(patterns).toContain(`!${source.replace(/^\.\//, '').replace(/\/$/, '')}`);
        }
      }
    });
  });

  describe('docker compose', () => {
    let compose: Compose;
    let services: Record<string, ComposeService>;
    let gateway: ComposeService;
    beforeAll(() => {
      compose = yamlFile<Compose>(join(DOCKER, 'compose.yaml'));
      services = compose.services;
      gateway = services.gateway;
    });

    it('has the gateway, its dependencies and the monitoring services', () => {
      expect(Object.keys(services).sort()).toEqual(
        ['gateway', 'grafana', 'prometheus', 'qdrant', 'redis'].sort(),
      );
    });

    it('builds the gateway from the repository root with docker/Dockerfile', () => {
      expect(gateway.build).toBeDefined();
      const context = resolve(DOCKER, gateway.build?.context ?? '.');
      expect(context).toBe(ROOT);
      expect(resolve(context, gateway.build?.dockerfile ?? 'Dockerfile')).toBe(
        join(DOCKER, 'Dockerfile'),
      );
    });

    it('gives the gateway only variables the service reads, API_KEYS required', () => {
      const environment = gateway.environment ?? {};
      for (const key of Object.keys(environment)) expect(KNOWN_ENV).toContain(key);
      expect(String(environment.API_KEYS)).toMatch(/^\$\{API_KEYS:\?/);
      expect(String(environment.REDIS_URL)).toMatch(/^redis:\/\/redis:/);
      expect(String(environment.QDRANT_URL)).toMatch(/^http:\/\/qdrant:6333/);
    });

    it('publishes and health-checks the gateway on its listening port and a real route', () => {
      const port = Number(gateway.environment?.PORT ?? 3000);
      expect((gateway.ports ?? []).map(containerPortOf)).toContain(port);
      const test = gateway.healthcheck?.test;
      const urls = urlsIn(Array.isArray(test) ? test.join(' ') : String(test));
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) {
        expect(ROUTES).toContain(url.path);
        expect(url.port).toBe(port);
      }
    });

    it('mounts only files that exist and declares its named volumes', () => {
      for (const [name, service] of Object.entries(services)) {
        for (const mount of bindMounts(service)) {
          expect({ service: name, exists: existsSync(mount.source) }).toEqual({
            service: name,
            exists: true,
          });
        }
        for (const entry of service.volumes ?? []) {
          const source = entry.split(':')[0];
          if (!source.startsWith('.') && !source.startsWith('/')) {
            expect(Object.keys(compose.volumes ?? {})).toContain(source);
          }
        }
        const dependencies = Array.isArray(service.depends_on)
          ? service.depends_on
          : Object.keys(service.depends_on ?? {});
        for (const dependency of dependencies) expect(Object.keys(services)).toContain(dependency);
      }
    });

    it('keeps redis append-only on a named volume', () => {
      expect(services.redis.image).toMatch(/^redis:7/);
      expect([services.redis.command].flat().join(' ')).toMatch(/--appendonly\s+yes/);
      expect(services.redis.volumes?.some((entry) => /^[\w-]+:\/data$/.test(entry))).toBe(true);
    });
  });

  describe('Prometheus', () => {
    let config: PrometheusConfig;
    let compose: Compose;
    let prometheus: ComposeService;
    let job: PrometheusConfig['scrape_configs'][number] | undefined;
    beforeAll(() => {
      config = yamlFile<PrometheusConfig>(join(DOCKER, 'prometheus', 'prometheus.yml'));
      compose = yamlFile<Compose>(join(DOCKER, 'compose.yaml'));
      prometheus = compose.services.prometheus;
      job = config.scrape_configs.find((scrape) => scrape.job_name === 'rag-cache');
    });

    it('scrapes the gateway at /metrics every 15s', () => {
      expect(job).toBeDefined();
      expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
      expect(ROUTES).toContain(job?.metrics_path ?? '/metrics');
      expect(job?.scrape_interval ?? '15s').toBe('15s');
      const targets = (job?.static_configs ?? []).flatMap((static_) => static_.targets);
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) {
        const [host, port] = target.split(':');
        expect(compose.services[host]?.build).toBeDefined();
        expect(Number(port)).toBe(Number(compose.services[host].environment?.PORT ?? 3000));
      }
    });

    it('loads rule files that compose mounts next to the config', () => {
      const mounts = bindMounts(prometheus);
      const configMount = mounts.find(
        (mount) => mount.source === join(DOCKER, 'prometheus', 'prometheus.yml'),
      );
      expect(configMount).toBeDefined();
      expect([prometheus.command].flat().join(' ')).toContain(
        `--config.file=${configMount?.target}`,
      );
      expect(config.rule_files?.length).toBeGreaterThan(0);
      for (const ruleFile of config.rule_files ?? []) {
        const target = posix.resolve(posix.dirname(configMount?.target ?? '/'), ruleFile);
        const mount = mounts.find((candidate) => candidate.target === target);
        expect({ ruleFile, mounted: mount !== undefined }).toEqual({ ruleFile, mounted: true });
        expect(existsSync(mount?.source ?? '')).toBe(true);
      }
    });
  });

  describe('alert rules', () => {
    let rules: AlertRules['groups'][number]['rules'];
    let alerts: typeof rules;
    let exprs: string[];
    beforeAll(() => {
      const file = yamlFile<AlertRules>(join(DOCKER, 'prometheus', 'alerts.yml'));
      rules = file.groups.flatMap((group) => group.rules);
      alerts = rules.filter((rule) => rule.alert !== undefined);
      exprs = rules.map((rule) => rule.expr);
    });

    it('are complete and uniquely named', () => {
      const names = alerts.map((rule) => rule.alert);
      expect(new Set(names).size).toBe(names.length);
      for (const rule of alerts) {
        expect(rule.expr.trim()).not.toBe('');
        expect(rule.labels?.severity).toMatch(/^(critical|warning|info)$/);
        expect(rule.annotations?.summary).toBeTruthy();
        if (rule.for !== undefined) expect(rule.for).toMatch(/^(\d+[smhdwy])+$/);
      }
    });

    it('cover the gateway going down, readiness, provider errors, latency, hit ratio and rate limiting', () => {
      const used = new Set(exprs.flatMap(metricNames));
      expect(exprs.some((expr) => /\bup\s*(\{[^}]*\})?\s*==\s*0/.test(expr))).toBe(true);
      expect(exprs.some((expr) => routeMatchers(expr).includes('/health/ready'))).toBe(true);
      expect(exprs.some((expr) => /histogram_quantile\(\s*0\.99/.test(expr))).toBe(true);
      for (const name of [
        'ragcache_llm_requests_total',
        'ragcache_http_request_duration_seconds_bucket',
        'ragcache_cache_lookups_total',
        'ragcache_rate_limited_total',
      ]) {
        expect(used).toContain(name);
      }
    });

    it('use only metrics the gateway exports (or up/process_/nodejs_), real routes and label values', () => {
      for (const expr of exprs) {
        const names = metricNames(expr);
        expect(names.length).toBeGreaterThan(0);
        for (const name of names)
          expect({ name, known: isKnownMetric(name) }).toEqual({ name, known: true });
        for (const route of routeMatchers(expr)) expect(ALL_ROUTES).toContain(route);
        expect(unknownLabelValues(expr)).toEqual([]);
      }
    });
  });

  describe('Grafana', () => {
    let compose: Compose;
    let grafanaMounts: { source: string; target: string }[];
    let datasources: { uid: string; type: string; url: string }[];
    let providers: { type: string; options: { path: string } }[];
    let dashboard: Dashboard;
    beforeAll(() => {
      compose = yamlFile<Compose>(join(DOCKER, 'compose.yaml'));
      grafanaMounts = bindMounts(compose.services.grafana);
      const provisioning = join(DOCKER, 'grafana', 'provisioning');
      datasources = yamlFile<{ datasources: typeof datasources }>(
        join(provisioning, 'datasources', 'prometheus.yaml'),
      ).datasources;
      providers = yamlFile<{ providers: typeof providers }>(
        join(provisioning, 'dashboards', 'dashboards.yaml'),
      ).providers;
      dashboard = JSON.parse(read(join(DOCKER, 'grafana', 'dashboards', 'rag-cache.json')));
    });

    it('mounts provisioning where Grafana reads it and dashboards where the provider looks', () => {
      expect(grafanaMounts).toContainEqual({
        source: join(DOCKER, 'grafana', 'provisioning'),
        target: '/etc/grafana/provisioning',
      });
      const dashboardMount = grafanaMounts.find(
        (mount) => mount.source === join(DOCKER, 'grafana', 'dashboards'),
      );
      expect(providers.map((provider) => provider.options.path)).toContain(dashboardMount?.target);
    });

    it('provisions a Prometheus datasource pointing at the compose prometheus service', () => {
      const prometheus = datasources.find((datasource) => datasource.type === 'prometheus');
      expect(prometheus).toBeDefined();
      expect(Object.keys(compose.services)).toContain(new URL(prometheus?.url ?? '').hostname);
    });

    it('is a dashboard with unique panel ids, a layout on the 24-column grid and a query per panel', () => {
      expect(dashboard.uid).toBeTruthy();
      expect(dashboard.title).toBeTruthy();
      const ids = dashboard.panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels) {
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
        if (panel.type === 'row') continue;
        expect(panel.targets?.length).toBeGreaterThan(0);
        const refIds = (panel.targets ?? []).map((target) => target.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const target of panel.targets ?? []) expect(target.expr?.trim()).toBeTruthy();
      }
    });

    it('refers to the provisioned datasource, directly or through its datasource variable', () => {
      const variables = dashboard.templating?.list ?? [];
      const uids = new Set(datasources.map((datasource) => datasource.uid));
      for (const variable of variables.filter((v) => v.type === 'datasource')) {
        uids.add(`\${${variable.name}}`);
        expect(datasources.map((d) => d.uid)).toContain(
          (variable.current as { value?: string } | undefined)?.value,
        );
      }
      const refs = JSON.stringify(dashboard).match(/"uid":\s*"[^"]*"/g) ?? [];
      const datasourceRefs = refs
        .map((ref) => JSON.parse(`{${ref}}`) as { uid: string })
        .map((ref) => ref.uid)
        .filter((uid) => uid !== dashboard.uid);
      expect(datasourceRefs.length).toBeGreaterThan(0);
      for (const uid of datasourceRefs) expect(uids).toContain(uid);
    });

    it('charts hit ratio, latency quantiles, cost saved, LLM cost, provider errors, tokens and rate limiting', () => {
      const exprs = exprsIn(dashboard.panels);
      const used = new Set(exprs.flatMap(metricNames));
      for (const name of [
        'ragcache_cache_lookups_total',
        'ragcache_http_request_duration_seconds_bucket',
        'ragcache_cost_saved_usd_total',
        'ragcache_llm_cost_usd_total',
        'ragcache_llm_requests_total',
        'ragcache_llm_tokens_total',
        'ragcache_rate_limited_total',
      ]) {
        expect(used).toContain(name);
      }
      for (const quantile of ['0.5', '0.95', '0.99']) {
        expect(exprs.some((expr) => expr.includes(`histogram_quantile(${quantile},`))).toBe(true);
      }
    });

    it('uses only metrics the gateway exports (or up/process_/nodejs_), real routes and label values', () => {
      const exprs = exprsIn(dashboard.panels);
      const variableQueries = (dashboard.templating?.list ?? [])
        .filter((variable) => variable.type === 'query')
        .map((variable) => JSON.stringify(variable.query));
      const fromVariables = variableQueries.flatMap((query) =>
        [...query.matchAll(/label_values\(\s*([A-Za-z_:][\w:]*)\s*,/g)].map((match) => match[1]),
      );
      for (const name of [...exprs.flatMap(metricNames), ...fromVariables]) {
        expect({ name, known: isKnownMetric(name) }).toEqual({ name, known: true });
      }
      for (const route of exprs.flatMap(routeMatchers)) expect(ALL_ROUTES).toContain(route);
      expect(exprs.flatMap(unknownLabelValues)).toEqual([]);
    });
  });

  describe('Kubernetes manifests', () => {
    let kustomization: { namespace?: string; resources: string[]; images?: { name: string }[] };
    let objects: K8sObject[];
    const one = (kind: string): K8sObject => {
      const found = objects.filter((object) => object.kind === kind);
      if (found.length !== 1) {
        throw new Error(`expected one ${kind} in deploy/k8s, found ${found.length}`);
      }
      return found[0];
    };
    let deployment: K8sObject;
    let spec: DeploymentSpec;
    let podLabels: Labels;
    let container: Container;
    let containerPort: { name?: string; containerPort: number } | undefined;
    let configMap: K8sObject;
    let secret: K8sObject;
    beforeAll(() => {
      kustomization = yamlFile<typeof kustomization>(join(K8S, 'kustomization.yaml'));
      objects = kustomization.resources.flatMap((resource) =>
        parseYaml(join(K8S, resource)).map((object) => object as K8sObject),
      );
      deployment = one('Deployment');
      spec = deployment.spec as DeploymentSpec;
      podLabels = spec.template.metadata.labels;
      container = spec.template.spec.containers[0];
      containerPort = container.ports?.[0];
      configMap = one('ConfigMap');
      secret = one('Secret');
    });

    it('lists every manifest of deploy/k8s in kustomization.yaml, and only existing ones', () => {
      const manifests = readdirSync(K8S)
        .filter((name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml')
        .sort();
      expect([...kustomization.resources].sort()).toEqual(manifests);
      for (const kind of ['Namespace', 'ConfigMap', 'Secret', 'Deployment', 'Service']) one(kind);
      one('HorizontalPodAutoscaler');
      one('PodDisruptionBudget');
    });

    it('puts everything in one namespace, the one the kustomization sets', () => {
      const namespace = one('Namespace').metadata.name;
      expect(kustomization.namespace).toBe(namespace);
      for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
        expect(object.metadata.namespace ?? namespace).toBe(namespace);
      }
    });

    it('overrides the image the Deployment names', () => {
      const imageName = container.image.split(/[:@]/)[0];
      expect((kustomization.images ?? []).map((image) => image.name)).toContain(imageName);
    });

    it('runs replicas non-root on a read-only root filesystem, data dir on an emptyDir', () => {
      expect(spec.replicas).toBeGreaterThanOrEqual(2);
      expect(subsetOf(spec.selector.matchLabels, podLabels)).toBe(true);
      expect(spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
      // The image's USER is a name (node); the kubelet needs a number to verify runAsNonRoot.
      expect(spec.template.spec.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
      const dataDir = String(configMap.data?.DATA_DIR);
      const mount = container.volumeMounts?.find((m) => m.mountPath === dataDir);
      expect(mount).toBeDefined();
      const volume = spec.template.spec.volumes?.find((v) => v.name === mount?.name);
      expect(volume?.emptyDir).toBeDefined();
    });

    it('requests and limits resources (the HPA needs a CPU request)', () => {
      expect(container.resources?.requests?.cpu).toBeTruthy();
      expect(container.resources?.requests?.memory).toBeTruthy();
      expect(container.resources?.limits?.memory).toBeTruthy();
    });

    it('probes real routes: liveness and startup on /health/live, readiness on /health/ready', () => {
      const probes = {
        startupProbe: container.startupProbe,
        livenessProbe: container.livenessProbe,
        readinessProbe: container.readinessProbe,
      };
      for (const [kind, probe] of Object.entries(probes)) {
        const path = probe?.httpGet?.path;
        expect({ kind, path, real: ROUTES.includes(String(path)) }).toEqual({
          kind,
          path,
          real: true,
        });
        const port = probe?.httpGet?.port;
        expect([containerPort?.name, containerPort?.containerPort]).toContain(port);
      }
      // A dependency outage must take pods out of rotation, not restart them.
      expect(probes.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(probes.startupProbe?.httpGet?.path).toBe('/health/live');
      expect(probes.readinessProbe?.httpGet?.path).toBe('/health/ready');
    });

    it('listens where the image, the ConfigMap and the scrape annotations say', () => {
      expect(containerPort?.name).toBe('http');
      expect(containerPort?.containerPort).toBe(Number(configMap.data?.PORT ?? 3000));
      const annotations = spec.template.metadata.annotations ?? {};
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(Number(annotations['prometheus.io/port'])).toBe(containerPort?.containerPort);
      expect(annotations['prometheus.io/path']).toBe('/metrics');
      const exposed = dockerInstructions(read(join(DOCKER, 'Dockerfile')))
        .filter((i) => i.keyword === 'EXPOSE')
        .flatMap((i) => i.args.split(/\s+/).map((p) => parseInt(p)));
      expect(exposed).toContain(containerPort?.containerPort);
    });

    it('exposes the container port through the Service (targetPort by name or number)', () => {
      const service = one('Service').spec as {
        selector: Labels;
        ports: { port: number; targetPort: string | number }[];
      };
      expect(subsetOf(service.selector, podLabels)).toBe(true);
      expect(service.ports.length).toBeGreaterThan(0);
      for (const port of service.ports) {
        if (typeof port.targetPort === 'string') {
          expect(port.targetPort).toBe(containerPort?.name);
        } else {
          expect(port.targetPort).toBe(containerPort?.containerPort);
        }
      }
    });

    it('scales the Deployment on CPU and keeps a replica through disruptions', () => {
      const hpa = one('HorizontalPodAutoscaler');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      const hpaSpec = hpa.spec as {
        scaleTargetRef: { kind: string; name: string };
        minReplicas: number;
        maxReplicas: number;
        metrics: {
          type: string;
          resource?: { name: string; target: { averageUtilization?: number } };
        }[];
      };
      expect(hpaSpec.scaleTargetRef).toMatchObject({
        kind: 'Deployment',
        name: deployment.metadata.name,
      });
      expect(hpaSpec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpaSpec.maxReplicas).toBeGreaterThanOrEqual(hpaSpec.minReplicas);
      const cpu = hpaSpec.metrics.find((metric) => metric.resource?.name === 'cpu');
      expect(cpu?.resource?.target.averageUtilization).toBe(70);
      const pdb = one('PodDisruptionBudget').spec as {
        minAvailable?: number;
        selector: { matchLabels: Labels };
      };
      expect(subsetOf(pdb.selector.matchLabels, podLabels)).toBe(true);
      expect(pdb.minAvailable ?? 0).toBeLessThan(hpaSpec.minReplicas);
    });

    it('loads the ConfigMap and the Secret, each holding only variables the service reads', () => {
      const from = container.envFrom ?? [];
      expect(from.map((source) => source.configMapRef?.name)).toContain(configMap.metadata.name);
      expect(from.map((source) => source.secretRef?.name)).toContain(secret.metadata.name);
      for (const [key, value] of Object.entries(configMap.data ?? {})) {
        expect(KNOWN_ENV).toContain(key);
        expect({ key, secret: SECRET_NAMES.includes(key) }).toEqual({ key, secret: false });
        expect({ key, type: typeof value }).toEqual({ key, type: 'string' });
      }
      expect(configMap.data?.NODE_ENV).toBe('production');
    });

    it('keeps the Secret a template: secret names only, placeholders only', () => {
      expect(secret.data).toBeUndefined();
      const entries = Object.entries(secret.stringData ?? {});
      expect(entries.map(([key]) => key)).toContain('API_KEYS');
      for (const [key, value] of entries) {
        expect(SECRET_NAMES).toContain(key);
        expect({ key, value }).toEqual({ key, value: expect.stringMatching(/^$|REPLACE_ME/) });
      }
    });
  });
});
