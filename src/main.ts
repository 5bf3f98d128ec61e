import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';
import { InvalidConfigurationError } from './config/config.schema';
import { LogFlusher } from './logging/logging.module';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment(process.env);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.server.port, config.server.host);
  new Logger('Bootstrap').log(`RAG Cache listening on ${await app.getUrl()}`);
  app.get(LogFlusher).flush();
}

bootstrap().catch((error: Error) => {
  console.error(`RAG Cache failed to start: ${error.message}`);
  process.exit(1);
});
