import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRegistry } from './api-key.registry';

@Module({
  providers: [ApiKeyRegistry, ApiKeyGuard],
  exports: [ApiKeyGuard, ApiKeyRegistry],
})
export class AuthModule {}
