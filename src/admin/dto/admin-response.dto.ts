import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LayerCountDto {
  @ApiProperty({ description: 'Exact-cache lookups' })
  exact!: number;

  @ApiProperty({ description: 'Semantic-cache lookups (after an exact miss)' })
  semantic!: number;
}

const COUNTER_NOTE =
  'Counted by this gateway process since it started (the Prometheus counters, labelled by tenant): the tenant asked about, or every tenant for the admin without tenant; not summed across replicas.';

class CountersDto {
  @ApiProperty({ enum: ['memory', 'redis'] })
  backend!: 'memory' | 'redis';

  @ApiProperty({ description: 'Live entries' })
  entries!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Approximate bytes (in-memory backend); null when the backend cannot tell',
  })
  bytes!: number | null;

  @ApiProperty({ type: LayerCountDto, description: `Cache hits. ${COUNTER_NOTE}` })
  hits!: LayerCountDto;

  @ApiProperty({
    type: LayerCountDto,
    description: `Cache misses, including lookups that failed because the backend was down. ${COUNTER_NOTE}`,
  })
  misses!: LayerCountDto;

  @ApiProperty({ description: `What answers served from cache would have cost. ${COUNTER_NOTE}` })
  cost_saved_usd!: number;
}

/** `GET /api/v1/cache/stats` for one tenant. */
export class TenantStatsDto extends CountersDto {
  @ApiProperty({ example: 'acme' })
  tenant!: string;
}

export class TenantEntriesDto {
  @ApiProperty({ example: 'acme' })
  tenant!: string;

  @ApiProperty()
  entries!: number;
}

/** `GET /api/v1/cache/stats` with the admin key and no `tenant`: every tenant. */
export class AllTenantsStatsDto extends CountersDto {
  @ApiProperty({ type: [TenantEntriesDto], description: 'Tenants with at least one entry' })
  tenants!: TenantEntriesDto[];
}

export class PurgeResultDto {
  @ApiProperty()
  tenant!: string;

  @ApiProperty()
  namespace!: string;

  @ApiProperty({ description: 'Entries removed' })
  deleted!: number;
}

export class DeleteEntryResultDto {
  @ApiProperty()
  tenant!: string;

  @ApiProperty()
  namespace!: string;

  @ApiProperty({ description: 'The entry key (base64url hash)' })
  key!: string;

  @ApiProperty({ enum: [true] })
  deleted!: true;
}

export class ImportErrorDto {
  @ApiProperty({ description: '1-based line number in the uploaded body' })
  line!: number;

  @ApiProperty()
  message!: string;
}

/** Body of `POST /api/v1/cache/import`, and (with `done: true`) the last line of its stream. */
export class ImportResultDto {
  @ApiProperty()
  imported!: number;

  @ApiProperty()
  failed!: number;

  @ApiProperty({ type: [ImportErrorDto], description: 'The first 1,000 failed lines' })
  errors!: ImportErrorDto[];

  @ApiPropertyOptional({ description: 'Present (true) when more than 1,000 lines failed' })
  errors_truncated?: true;
}

/** One progress line of `POST /api/v1/cache/import?stream=true`. */
export class ImportProgressDto {
  @ApiProperty({ description: 'Non-blank lines handled so far' })
  processed!: number;

  @ApiProperty()
  imported!: number;

  @ApiProperty()
  failed!: number;
}

export class ExportUsageDto {
  @ApiProperty()
  prompt_tokens!: number;

  @ApiProperty()
  completion_tokens!: number;

  @ApiProperty()
  total_tokens!: number;
}

/** One line of `GET /api/v1/cache/export`. The prompt is not stored, so it is not exported. */
export class ExportLineDto {
  @ApiProperty({
    description: 'Entry key (base64url); DELETE /api/v1/cache/entries/{key} takes it',
  })
  key!: string;

  @ApiProperty()
  namespace!: string;

  @ApiProperty()
  provider!: string;

  @ApiProperty()
  model!: string;

  @ApiProperty()
  answer!: string;

  @ApiProperty({ type: ExportUsageDto })
  usage!: ExportUsageDto;

  @ApiProperty({ type: Number, nullable: true })
  cost_usd!: number | null;

  @ApiProperty({ description: 'ISO 8601' })
  created_at!: string;
}
