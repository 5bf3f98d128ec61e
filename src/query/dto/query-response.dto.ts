export class UsageDto {
  prompt_tokens!: number;
  completion_tokens!: number;
  total_tokens!: number;
}

/** Body of a successful `POST /api/v1/query`. */
export class QueryResponseDto {
  response!: string;
  provider!: string;
  model!: string;
  cached!: boolean;
  cache_type!: 'exact' | 'semantic' | null;
  usage!: UsageDto;
  cost_usd!: number | null;
  latency_ms!: number;
  request_id!: string;
}
