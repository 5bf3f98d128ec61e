import { Module } from '@nestjs/common';
import { LlmModule } from '../llm/llm.module';
import { QueryModule } from '../query/query.module';
import { ChatCompletionsController } from './chat-completions.controller';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';
import { MessagesController } from './messages.controller';
import { ModelsController } from './models.controller';
import { ResponsesController } from './responses.controller';
import { WireAnswerService } from './wire-answer.service';

/**
 * The drop-in routes of the OpenAI and Anthropic APIs (`/v1/...`): services change their SDK's
 * base URL and nothing else. They share QueryModule's pipeline.
 */
@Module({
  imports: [QueryModule, LlmModule],
  controllers: [
    ChatCompletionsController,
    MessagesController,
    ResponsesController,
    EmbeddingsController,
    ModelsController,
  ],
  providers: [WireAnswerService, EmbeddingsService],
})
export class CompatModule {}
