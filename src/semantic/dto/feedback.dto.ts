import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Body of `POST /api/v1/cache/feedback`. */
export class FeedbackRequestDto {
  @ApiProperty({
    description:
      'The request id of the semantic hit that was wrong (x-request-id or request_id of its response)',
    pattern: REQUEST_ID_PATTERN.source,
    example: '2f1d0c3e-8a1b-4c55-9d1e-6f0b8e7a9c21',
  })
  @Matches(REQUEST_ID_PATTERN, {
    message: 'request_id must be 1 to 128 letters, digits, dots, underscores, colons or hyphens',
  })
  @IsString()
  request_id!: string;

  @ApiPropertyOptional({
    description:
      'Why the answer was wrong; not stored and not logged, for the caller’s own records',
    maxLength: 1000,
  })
  @MaxLength(1000)
  @IsString()
  @IsOptional()
  reason?: string;
}

export class FeedbackResultDto {
  @ApiProperty({ example: '2f1d0c3e-8a1b-4c55-9d1e-6f0b8e7a9c21' })
  request_id!: string;

  @ApiProperty({
    description:
      'True: that query no longer gets that entry, and the entry needs a higher match score from now on',
  })
  recorded!: boolean;
}

export class VectorSnapshotDto {
  @ApiProperty({ example: 'semantic-2026-11-26T05-40-00-000Z' })
  name!: string;

  @ApiProperty({ description: 'When the snapshot was taken (ISO 8601)' })
  created_at!: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Size on disk, when the store can tell',
  })
  bytes!: number | null;
}

export class VectorSnapshotListDto {
  @ApiProperty({ enum: ['usearch', 'qdrant'] })
  backend!: string;

  @ApiProperty({ type: [VectorSnapshotDto] })
  snapshots!: VectorSnapshotDto[];
}

export class RestoreResultDto {
  @ApiProperty({ example: 'semantic-2026-11-26T05-40-00-000Z' })
  restored!: string;

  @ApiProperty({ description: 'Live entries in the semantic index after the restore' })
  entries!: number;
}
