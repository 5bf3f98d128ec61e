import { Module } from '@nestjs/common';
import { LlmModule } from '../llm/llm.module';
import { QueryModule } from '../query/query.module';
import { ChatCompletionsController } from './chat-completions.controller';
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
    ModelsController,
  ],
  providers: [WireAnswerService],
})
export class CompatModule {}
