import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';
import { InvalidConfigurationError } from './config/config.schema';
import { LogFlusher } from './logging/logging.module';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { server } = app.get(AppConfig);
  await app.listen(server.port, server.host);
  new Logger('Bootstrap').log(`RAG Cache listening on ${await app.getUrl()}`);
  app.get(LogFlusher).flush();
}

bootstrap().catch((error: Error) => {
  // The schema's message already names each variable and what is wrong with it.
  console.error(
    error instanceof InvalidConfigurationError
      ? error.message
      : `RAG Cache failed to start: ${error.message}`,
  );
  process.exit(1);
});
