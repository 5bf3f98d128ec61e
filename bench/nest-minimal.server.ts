import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The cost of NestJS itself: one POST route on the same adapter, no validation, no cache. Between
 * the plain Fastify baseline and the gateway, it splits the gateway's cost into framework and
 * own work.
 */
@Controller('api/v1')
class MinimalController {
  @Post('query')
  @HttpCode(200)
  query(@Body() body: { query: string }) {
    return { response: `answer(gpt-4o-mini): ${body.query}`, cached: true, cache_type: 'exact' };
  }
}

@Module({ controllers: [MinimalController] })
class MinimalModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    MinimalModule,
    new FastifyAdapter(),
    {
      logger: false,
    },
  );
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  process.stdout.write(`${await app.getUrl()}\n`);
}

void main();
