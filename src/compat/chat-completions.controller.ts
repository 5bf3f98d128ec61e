import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DropInErrors } from './drop-in-errors.decorator';
import { OpenAIChatFormat } from './openai-chat.format';
import { WireAnswerService } from './wire-answer.service';

@ApiTags('openai-compatible')
@Controller('v1')
export class ChatCompletionsController {
  private readonly format = new OpenAIChatFormat();

  constructor(private readonly answers: WireAnswerService) {}

  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI Chat Completions, through the cache',
    description:
      'The OpenAI Chat Completions API: point the official `openai` SDK at the gateway (`baseURL: <gateway>/v1`) and nothing else changes. The body is passed to the provider as it stands (unknown fields included, all of them part of the cache key except `stream`, `stream_options`, `user`, `metadata`, `safety_identifier` and OpenAI prompt-cache hints). A `claude-*` model is answered by Anthropic and translated (a request Anthropic cannot express, such as `n` > 1, is a 400). With `stream: true` a miss is streamed as it arrives and stored when it completed; a hit is replayed as chunks and `[DONE]`. `n` > 1 and `logprobs` are answered uncached (`x-cache: BYPASS`). The semantic layer applies when the last message is a user turn of text only. Cache headers: `Cache-Control`, `x-cache-ttl`, `x-cache-namespace`, `x-cache-threshold`; errors in the OpenAI schema.',
  })
  @ApiBody({
    description: 'An OpenAI chat completion request (`model`, `messages`, …)',
    schema: {
      type: 'object',
      required: ['model', 'messages'],
      properties: {
        model: { type: 'string', example: 'gpt-4o-mini' },
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
      'A `chat.completion` object, or with `stream: true` a `text/event-stream` of `chat.completion.chunk`s ending in `data: [DONE]`; `x-cache` says HIT, SEMANTIC, MISS or BYPASS',
  })
  @DropInErrors('openai')
  async create(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.answers.serve(this.format, body, request, reply);
  }
}
