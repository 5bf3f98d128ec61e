import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DropInErrors } from './drop-in-errors.decorator';
import { EmbeddingsService } from './embeddings.service';

@ApiTags('openai-compatible')
@Controller('v1')
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI Embeddings, cached per input',
    description:
      "The OpenAI Embeddings API (`client.embeddings.create`). Each input text is its own exact-cache entry (the key covers the model, `dimensions` and every other field except `input`, `encoding_format` and `user`): a batch sends only the inputs not cached yet to OpenAI, and the answer keeps the caller's order and indices. `encoding_format` `float` or `base64` (the SDK's default) is honoured from the same entries. Token-array inputs are passed through uncached. `x-cache`: HIT when every input was cached, MISS when any was fetched; `x-cache-hits`: how many inputs came from the cache. `usage` counts the tokens sent upstream.",
  })
  @ApiBody({
    description: 'An embeddings request (`model`, `input`, …)',
    schema: {
      type: 'object',
      required: ['model', 'input'],
      properties: {
        model: { type: 'string', example: 'text-embedding-3-small' },
        input: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        encoding_format: { type: 'string', enum: ['float', 'base64'] },
        dimensions: { type: 'integer' },
      },
      additionalProperties: true,
    },
  })
  @ApiOkResponse({
    description:
      '`{ object: "list", data: [{ object: "embedding", index, embedding }], model, usage }`',
  })
  @DropInErrors('openai')
  async create(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.embeddings.serve(body, request, reply);
  }
}
