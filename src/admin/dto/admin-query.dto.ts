import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { DEFAULT_NAMESPACE, IsCacheNamespace, NAMESPACE_PATTERN } from '../../query/cache-controls';

/** Tenant names as API_KEYS allows them. */
export const TENANT_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** `?tenant=`: which tenant an admin-key call acts on. Tenant keys may only name their own. */
export class TenantQueryDto {
  @ApiPropertyOptional({
    description:
      'The tenant to act on. Required with the admin key on tenant-scoped routes; a tenant key may only name its own tenant (else 403).',
    example: 'acme',
    pattern: TENANT_PATTERN.source,
  })
  @Matches(TENANT_PATTERN, {
    message: 'tenant must be 1 to 64 letters, digits, dots, underscores or hyphens',
  })
  @IsString()
  @IsOptional()
  tenant?: string;
}

export class NamespaceQueryDto extends TenantQueryDto {
  @ApiPropertyOptional({
    description: 'The cache namespace',
    default: DEFAULT_NAMESPACE,
    pattern: NAMESPACE_PATTERN.source,
  })
  @IsCacheNamespace()
  @IsOptional()
  namespace?: string;
}

export class ImportQueryDto extends NamespaceQueryDto {
  @ApiPropertyOptional({
    description:
      'true: answer with application/x-ndjson progress lines every 1,000 processed lines, then a summary line',
    enum: ['true', 'false'],
    default: 'false',
  })
  @IsIn(['true', 'false'], { message: 'stream must be true or false' })
  @IsOptional()
  stream?: 'true' | 'false';

  @ApiPropertyOptional({
    description:
      'false: fill the exact cache only. By default every line is also embedded and indexed, so paraphrases of the imported questions are semantic hits; that runs at the embedding model’s pace (a few hundred lines a second with the bundled model)',
    enum: ['true', 'false'],
    default: 'true',
  })
  @IsIn(['true', 'false'], { message: 'semantic must be true or false' })
  @IsOptional()
  semantic?: 'true' | 'false';
}
