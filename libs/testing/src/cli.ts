/**
 * Runs both fake providers for manual trials:
 * node -r @swc-node/register libs/testing/src/cli.ts --openai-port 4010 --anthropic-port 4020 [--delay-ms N]
 *   [--stream-delay-ms N]
 */
import { parseArgs } from 'node:util';
import { FakeAnthropicServer } from './fake-anthropic.server';
import { FakeOpenAIServer } from './fake-openai.server';

function nonNegativeInt(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'openai-port': { type: 'string', default: '4010' },
      'anthropic-port': { type: 'string', default: '4020' },
      'delay-ms': { type: 'string', default: '0' },
      'stream-delay-ms': { type: 'string', default: '0' },
    },
  });
  const delayMs = nonNegativeInt('delay-ms', values['delay-ms']);
  const streamDelayMs = nonNegativeInt('stream-delay-ms', values['stream-delay-ms']);
  const openai = await FakeOpenAIServer.start({
    port: nonNegativeInt('openai-port', values['openai-port']),
    delayMs,
    streamDelayMs,
  });
  const anthropic = await FakeAnthropicServer.start({
    port: nonNegativeInt('anthropic-port', values['anthropic-port']),
    delayMs,
    streamDelayMs,
  }).catch(async (error: unknown) => {
    // The OpenAI server would otherwise keep the process alive after the failure.
    await openai.close();
    throw error;
  });
  process.stdout.write(`OpenAI:    ${openai.baseUrl}\nAnthropic: ${anthropic.baseUrl}\n`);

  const shutdown = (): void => {
    Promise.all([openai.close(), anthropic.close()]).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
