import { Module } from '@nestjs/common';
import { CacheModule } from '../cache/cache.module';
import { LlmModule } from '../llm/llm.module';
import { SemanticModule } from '../semantic/semantic.module';
import { QueryController } from './query.controller';
import { QueryService } from './query.service';

@Module({
  imports: [CacheModule, LlmModule, SemanticModule],
  controllers: [QueryController],
  providers: [QueryService],
  exports: [QueryService],
})
export class QueryModule {}
