import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PriceTable } from '../llm/price-table';
import { DropInErrors } from './drop-in-errors.decorator';

/** When the listing was made: the table is fixed for the life of the process. */
const CREATED = Math.floor(Date.now() / 1000);

@ApiTags('openai-compatible')
@Controller('v1')
export class ModelsController {
  constructor(private readonly prices: PriceTable) {}

  @Get('models')
  @ApiOperation({
    summary: 'The models this gateway routes',
    description:
      'In the OpenAI list format (`client.models.list()`): every model of the price table (the bundled one and PRICING_FILE), `owned_by` the provider that serves it. Models of the gpt-*, o* and claude-* families that are not listed are routed too.',
  })
  @ApiOkResponse({
    description: '`{ object: "list", data: [{ id, object: "model", created, owned_by }] }`',
  })
  @DropInErrors('openai')
  list() {
    return {
      object: 'list',
      data: this.prices.models().map(({ model, provider }) => ({
        id: model,
        object: 'model',
        created: CREATED,
        owned_by: provider,
      })),
    };
  }
}
