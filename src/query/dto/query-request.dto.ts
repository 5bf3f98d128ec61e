import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_TTL_SECONDS, IsCacheNamespace, NAMESPACE_PATTERN } from '../cache-controls';

export const MAX_QUERY_CHARS = 32_000;

/**
 * Body of `POST /api/v1/query`. Unknown fields are rejected so a typo never goes unnoticed.
 * class-validator runs a property's decorators bottom-up and stops at the first failure, so the
 * type check sits next to the property and reports first.
 */
export class QueryRequestDto {
  @ApiProperty({
    description:
      'The question: the last user message. Exact-cache matching folds white space and Unicode forms but keeps case and punctuation.',
    minLength: 1,
    maxLength: MAX_QUERY_CHARS,
    example: 'What is the capital of France?',
  })
  @Matches(/\S/, { message: 'query must not be blank' })
  @Length(1, MAX_QUERY_CHARS)
  @IsString()
  query!: string;

  @ApiPropertyOptional({
    description: 'Provider to call; by default chosen from the model name, else DEFAULT_PROVIDER',
    enum: ['openai', 'anthropic'],
  })
  @Length(1, 32)
  @IsString()
  @IsOptional()
  provider?: string;

  @ApiPropertyOptional({
    description:
      'Model: gpt-*, o1/o3/o4…, chatgpt-* (OpenAI), claude-* (Anthropic), or a model listed in PRICING_FILE. Default: the provider’s default model.',
    example: 'gpt-4o-mini',
  })
  @Length(1, 128)
  @IsString()
  @IsOptional()
  model?: string;

  @ApiPropertyOptional({
    description: 'System prompt; part of the cache scope',
    maxLength: MAX_QUERY_CHARS,
    example: 'Answer in one sentence.',
  })
  @MaxLength(MAX_QUERY_CHARS)
  @IsString()
  @IsOptional()
  system?: string;

  @ApiPropertyOptional({
    description: 'Sampling temperature; part of the cache scope',
    minimum: 0,
    maximum: 2,
    example: 0.2,
  })
  @Max(2)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsOptional()
  temperature?: number;

  @ApiPropertyOptional({
    description: 'Upper bound of answer tokens; part of the cache scope',
    minimum: 1,
    example: 256,
  })
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  @IsOptional()
  max_tokens?: number;

  @ApiPropertyOptional({
    description:
      'false: neither read nor write the cache, and do not share a call with identical concurrent requests (x-cache: BYPASS)',
    default: true,
  })
  @IsBoolean()
  @IsOptional()
  use_cache?: boolean;

  @ApiPropertyOptional({
    description:
      'Lifetime of the stored answer in seconds (wins over x-cache-ttl; default CACHE_TTL_SECONDS)',
    minimum: 1,
    maximum: MAX_TTL_SECONDS,
    example: 3600,
  })
  @Max(MAX_TTL_SECONDS)
  @Min(1)
  @IsInt()
  @IsOptional()
  cache_ttl?: number;

  @ApiPropertyOptional({
    description: 'A separate cache space within the caller’s tenant (wins over x-cache-namespace)',
    pattern: NAMESPACE_PATTERN.source,
    default: 'default',
  })
  @IsCacheNamespace()
  @IsOptional()
  namespace?: string;

  @ApiPropertyOptional({
    description:
      'Confidence a semantic hit needs, 0–1 (wins over x-cache-threshold; default SEMANTIC_THRESHOLD). Higher is stricter; 1 turns semantic hits off for this request.',
    minimum: 0,
    maximum: 1,
    example: 0.9,
  })
  @Max(1)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsOptional()
  semantic_threshold?: number;
}
