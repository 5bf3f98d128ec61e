import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AnthropicMessagesFormat } from './anthropic-messages.format';
import { DropInErrors } from './drop-in-errors.decorator';
import { WireAnswerService } from './wire-answer.service';

@ApiTags('anthropic-compatible')
@Controller('v1')
export class MessagesController {
  private readonly format = new AnthropicMessagesFormat();

  constructor(private readonly answers: WireAnswerService) {}

  @Post('messages')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Anthropic Messages, through the cache',
    description:
      'The Anthropic Messages API: point the official `@anthropic-ai/sdk` at the gateway (`baseURL: <gateway>`) and nothing else changes. The body is passed on as it stands (unknown fields included, all part of the cache key except `stream`, `metadata` and the top-level `cache_control`; the `anthropic-version` and `anthropic-beta` headers are part of it too); a `gpt-*` or `o*` model is answered by OpenAI and translated. With `stream: true` a miss is streamed as it arrives and stored when it completed; a hit is replayed as `message_start` … `message_stop`. The semantic layer applies when the last message is a user turn of text only. Errors in the Anthropic schema.',
  })
  @ApiHeader({
    name: 'anthropic-version',
    required: false,
    description: 'Passed on to Anthropic (the SDK sends it)',
  })
  @ApiHeader({ name: 'anthropic-beta', required: false, description: 'Passed on to Anthropic' })
  @ApiBody({
    description: 'An Anthropic messages request (`model`, `max_tokens`, `messages`, …)',
    schema: {
      type: 'object',
      required: ['model', 'max_tokens', 'messages'],
      properties: {
        model: { type: 'string', example: 'claude-haiku-4-5' },
        max_tokens: { type: 'integer', minimum: 1, example: 1024 },
        messages: {
          type: 'array',
          items: { type: 'object' },
          example: [{ role: 'user', content: 'How do I reset my password?' }],
        },
        stream: { type: 'boolean' },
      },
      additionalProperties: true,
    },
  })
  @ApiOkResponse({
    description:
      'A `message` object, or with `stream: true` a `text/event-stream` of Messages events; `x-cache` says HIT, SEMANTIC, MISS or BYPASS',
  })
  @DropInErrors('anthropic')
  async create(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.answers.serve(this.format, body, request, reply);
  }
}
