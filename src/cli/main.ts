import { parseArgs } from 'node:util';
import { CliError, CliIo, stats, warm } from './client';

export const USAGE = `Usage: rag-cache <command> [options]

Commands:
  warm FILE     Import an NDJSON file of {"query", "answer", ...} lines into the exact and
                semantic caches, with a progress bar; exits 1 if any line failed
  stats         Print the cache statistics of the tenant (every tenant for the admin key)

Options:
  --url URL         Gateway base URL (env RAG_CACHE_URL; default http://127.0.0.1:3000)
  --key KEY         API key (env RAG_CACHE_API_KEY, which keeps it out of the process list)
  --tenant NAME     With the admin key: the tenant to act on (required for warm)
  --namespace NS    warm: namespace for lines that name none (default "default")
  --exact-only      warm: skip the semantic index (no embedding: much faster for large files;
                    paraphrases of the imported questions will not hit)
  -h, --help        Show this help

See docs/admin-api.md for the line format.
`;

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Runs one command and returns the exit code: 0 ok, 1 failed, 2 bad usage. */
export async function runCli(
  argv: string[],
  io: CliIo = processIo,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        tenant: { type: 'string' },
        namespace: { type: 'string' },
        'exact-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`rag-cache: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (command === undefined) {
    io.err(USAGE);
    return 2;
  }
  const connection = {
    url: values.url ?? env.RAG_CACHE_URL ?? 'http://127.0.0.1:3000',
    key: values.key ?? env.RAG_CACHE_API_KEY,
    tenant: values.tenant,
  };
  try {
    if (command === 'warm' && rest.length === 1) {
      return await warm(
        rest[0],
        { ...connection, namespace: values.namespace, exactOnly: values['exact-only'] === true },
        io,
      );
    }
    if (command === 'stats' && rest.length === 0) return await stats(connection, io);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    io.err(`rag-cache: ${error.message}\n`);
    return 1;
  }
  io.err(`rag-cache: unknown command or arguments: ${positionals.join(' ')}\n\n${USAGE}`);
  return 2;
}
