import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class UsageDto {
  @ApiProperty({ description: 'Tokens of the request', example: 14 })
  prompt_tokens!: number;

  @ApiProperty({ description: 'Tokens of the answer', example: 9 })
  completion_tokens!: number;

  @ApiProperty({ description: 'prompt_tokens + completion_tokens', example: 23 })
  total_tokens!: number;
}

/** Body of a successful `POST /api/v1/query`. */
export class QueryResponseDto {
  @ApiProperty({ description: 'The answer', example: 'Paris.' })
  response!: string;

  @ApiProperty({ description: 'Provider that produced the answer', enum: ['openai', 'anthropic'] })
  provider!: string;

  @ApiProperty({
    description: 'Model that produced the answer, as the provider names it',
    example: 'gpt-4o-mini-2024-07-18',
  })
  model!: string;

  @ApiProperty({ description: 'True when served from cache' })
  cached!: boolean;

  @ApiProperty({
    description: 'Which cache layer answered, null when the provider did',
    enum: ['exact', 'semantic'],
    nullable: true,
    type: String,
  })
  cache_type!: 'exact' | 'semantic' | null;

  @ApiPropertyOptional({
    description:
      'On a semantic hit: cosine similarity of the question to the stored one (as in x-cache-similarity)',
    example: 0.91,
  })
  similarity?: number;

  @ApiPropertyOptional({
    description:
      'On a semantic hit: the pair verifier’s probability that the stored answer is right for this question, the number semantic_threshold applies to',
    example: 0.93,
  })
  match_score?: number;

  @ApiProperty({
    type: UsageDto,
    description: 'Token usage of the answer (of the stored call on a hit)',
  })
  usage!: UsageDto;

  @ApiProperty({
    description:
      'What this request cost in USD: 0 on a hit or when it shared another request’s call, null for a model without a price',
    nullable: true,
    type: Number,
    example: 0.0000075,
  })
  cost_usd!: number | null;

  @ApiProperty({
    description: 'Time spent in the gateway until the answer, in milliseconds',
    example: 0.42,
  })
  latency_ms!: number;

  @ApiProperty({
    description: 'The request id, as in x-request-id',
    example: '2f1d0c3e-8a1b-4c55-9d1e-6f0b8e7a9c21',
  })
  request_id!: string;
}
