import { ApiProperty } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({
    description: 'Stable machine-readable code',
    example: 'invalid_request',
  })
  code!: string;

  @ApiProperty({ description: 'What went wrong, safe to show', example: 'query must be a string' })
  message!: string;

  @ApiProperty({
    description: 'The request id, as in the x-request-id header',
    example: '2f1d0c3e-8a1b-4c55-9d1e-6f0b8e7a9c21',
  })
  request_id!: string;
}

/** The one shape of every error response. */
export class ErrorEnvelopeDto {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}
