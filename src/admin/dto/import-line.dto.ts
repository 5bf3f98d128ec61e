import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_TTL_SECONDS, IsCacheNamespace, NAMESPACE_PATTERN } from '../../query/cache-controls';
import { MAX_QUERY_CHARS } from '../../query/dto/query-request.dto';

export const MAX_ANSWER_CHARS = 1_000_000;

export class ImportUsageDto {
  @ApiProperty({ minimum: 0 })
  @Min(0)
  @IsInt()
  prompt_tokens!: number;

  @ApiProperty({ minimum: 0 })
  @Min(0)
  @IsInt()
  completion_tokens!: number;
}

/**
 * One line of `POST /api/v1/cache/import`. The fields that make the cache key (query, provider,
 * model, system, temperature, max_tokens, namespace) take the same values as in
 * `POST /api/v1/query`, so a later query with the same values is a hit.
 */
export class ImportLineDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_QUERY_CHARS, example: 'What is our refund policy?' })
  @Matches(/\S/, { message: 'query must not be blank' })
  @Length(1, MAX_QUERY_CHARS)
  @IsString()
  query!: string;

  @ApiProperty({ minLength: 1, maxLength: MAX_ANSWER_CHARS, example: 'Within 30 days.' })
  @Length(1, MAX_ANSWER_CHARS)
  @IsString()
  answer!: string;

  @ApiPropertyOptional({ enum: ['openai', 'anthropic'] })
  @Length(1, 32)
  @IsString()
  @IsOptional()
  provider?: string;

  @ApiPropertyOptional({ maxLength: 128, example: 'gpt-4o-mini' })
  @Length(1, 128)
  @IsString()
  @IsOptional()
  model?: string;

  @ApiPropertyOptional({ maxLength: MAX_QUERY_CHARS })
  @MaxLength(MAX_QUERY_CHARS)
  @IsString()
  @IsOptional()
  system?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 2 })
  @Max(2)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsOptional()
  temperature?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000 })
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  @IsOptional()
  max_tokens?: number;

  @ApiPropertyOptional({
    description: 'Overrides ?namespace= for this line',
    pattern: NAMESPACE_PATTERN.source,
  })
  @IsCacheNamespace()
  @IsOptional()
  namespace?: string;

  @ApiPropertyOptional({
    description: 'Defaults to CACHE_TTL_SECONDS',
    minimum: 1,
    maximum: MAX_TTL_SECONDS,
  })
  @Max(MAX_TTL_SECONDS)
  @Min(1)
  @IsInt()
  @IsOptional()
  ttl_seconds?: number;

  @ApiPropertyOptional({ type: ImportUsageDto, description: 'Defaults to zero tokens' })
  @ValidateNested()
  @Type(() => ImportUsageDto)
  @IsObject()
  @IsOptional()
  usage?: ImportUsageDto;

  @ApiPropertyOptional({
    description:
      'What the answer cost, in USD: a hit counts it as saved. Defaults to the price table applied to usage, or null without usage.',
    minimum: 0,
    nullable: true,
  })
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsOptional()
  cost_usd?: number;
}
