import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DropInErrors } from './drop-in-errors.decorator';
import { OpenAIResponsesFormat } from './openai-responses.format';
import { WireAnswerService } from './wire-answer.service';

@ApiTags('openai-compatible')
@Controller('v1')
export class ResponsesController {
  private readonly format = new OpenAIResponsesFormat();

  constructor(private readonly answers: WireAnswerService) {}

  @Post('responses')
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI Responses, through the cache',
    description:
      'The OpenAI Responses API (`client.responses.create`), answered by OpenAI models. Stateless requests are cached like chat completions (the key covers `input`, `instructions`, `tools`, `text.format` and every other field, `store` included since only a stored response can be continued, except `stream`, `user`, `metadata`, `safety_identifier` and prompt-cache hints); a request with `previous_response_id`, a `conversation`, `background` or an unversioned prompt template depends on state the gateway cannot see and is passed through uncached (`x-cache: BYPASS`). With `stream: true` a miss is streamed as it arrives; a hit is replayed as `response.created` … `response.completed`.',
  })
  @ApiBody({
    description: 'A Responses API request (`model`, `input`, …)',
    schema: {
      type: 'object',
      required: ['model', 'input'],
      properties: {
        model: { type: 'string', example: 'gpt-4o-mini' },
        input: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] },
        instructions: { type: 'string' },
        stream: { type: 'boolean' },
      },
      additionalProperties: true,
    },
  })
  @ApiOkResponse({
    description:
      'A `response` object, or with `stream: true` a `text/event-stream` of Responses events; `x-cache` says HIT, SEMANTIC, MISS or BYPASS',
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
