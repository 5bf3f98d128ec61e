import { AuthModule } from '../auth/auth.module';
import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module';
import { LlmModule } from '../llm/llm.module';
import { SemanticModule } from '../semantic/semantic.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { CacheImporter } from './cache-importer';
import { NdjsonBodyParser } from './ndjson-body.parser';

/** `/api/v1/cache`: stats, purge, delete, import and export of the exact cache. */
@Module({
  imports: [CacheModule, LlmModule, AuthModule, SemanticModule],
  controllers: [AdminController],
  providers: [AdminService, CacheImporter, NdjsonBodyParser],
})
export class AdminModule {}
