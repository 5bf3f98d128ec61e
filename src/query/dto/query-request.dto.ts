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
import { MAX_TTL_SECONDS, NAMESPACE_PATTERN } from '../cache-controls';

export const MAX_QUERY_CHARS = 32_000;

/**
 * Body of `POST /api/v1/query`. Unknown fields are rejected so a typo never goes unnoticed.
 * class-validator runs a property's decorators bottom-up and stops at the first failure, so the
 * type check sits next to the property and reports first.
 */
export class QueryRequestDto {
  @Matches(/\S/, { message: 'query must not be blank' })
  @Length(1, MAX_QUERY_CHARS)
  @IsString()
  query!: string;

  @Length(1, 32)
  @IsString()
  @IsOptional()
  provider?: string;

  @Length(1, 128)
  @IsString()
  @IsOptional()
  model?: string;

  @MaxLength(MAX_QUERY_CHARS)
  @IsString()
  @IsOptional()
  system?: string;

  @Max(2)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsOptional()
  temperature?: number;

  @Max(1_000_000)
  @Min(1)
  @IsInt()
  @IsOptional()
  max_tokens?: number;

  @IsBoolean()
  @IsOptional()
  use_cache?: boolean;

  @Max(MAX_TTL_SECONDS)
  @Min(1)
  @IsInt()
  @IsOptional()
  cache_ttl?: number;

  @Matches(NAMESPACE_PATTERN, {
    message: 'namespace must be 1 to 64 letters, digits, dots, underscores or hyphens',
  })
  @IsString()
  @IsOptional()
  namespace?: string;
}
