import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { Environment, parseEnvironment } from './config.schema';

/** Where the gateway's variables come from. */
export interface ConfigSource {
  /**
   * Read these instead of `.env` and the process environment: tests, benchmarks and tools that
   * build a gateway from a plain object, whatever the machine they run on has set.
   */
  variables?: Record<string, string | undefined>;
  /** The dotenv file to read; `.env` in the working directory when unset. */
  envFile?: string;
}

/** The validated configuration, and the module that makes it injectable. */
export interface LoadedConfig {
  config: AppConfig;
  module: DynamicModule;
}

/**
 * @nestjs/config's validated parse is kept under one key, whose value is an object: @nestjs/config
 * copies a validator's plain string, number and boolean values into `process.env`, and `.env`
 * values (secrets among them) should not reach child processes or other code through it.
 */
const ENVIRONMENT = 'environment';

@Global()
@Module({})
export class AppConfigModule {
  /**
   * Reads `.env` and the process environment through @nestjs/config (a variable set in the
   * environment wins over the file), validates them with the schema, which throws
   * `InvalidConfigurationError` naming every bad variable, and builds the one `AppConfig` that
   * services inject. The config is returned beside the module because the HTTP adapter (its body
   * limit) is built from it before Nest builds the application.
   */
  static async load(source: ConfigSource = {}): Promise<LoadedConfig> {
    const given = source.variables;
    let environment: Environment | undefined;
    const nestConfig = await ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: given !== undefined,
      envFilePath: source.envFile,
      validatePredefined: given === undefined,
      skipProcessEnv: true,
      validate: (variables) => {
        environment = parseEnvironment(given ?? (variables as Record<string, string | undefined>));
        return { [ENVIRONMENT]: environment };
      },
    });
    const config = new AppConfig(environment as Environment);
    return {
      config,
      module: {
        module: AppConfigModule,
        imports: [nestConfig],
        providers: [{ provide: AppConfig, useValue: config }],
        exports: [AppConfig],
      },
    };
  }
}
