import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Logger,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiSecurity,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough, Readable } from 'node:stream';
import { callerOf, CallerAwareRequest } from '../auth/caller';
import { ApiError } from '../common/errors/api-error';
import { ErrorEnvelopeDto } from '../common/errors/error-envelope.dto';
import { toErrorResponse } from '../common/errors/error-envelope.filter';
import { DEFAULT_NAMESPACE } from '../query/cache-controls';
import { AdminService } from './admin.service';
import { CacheImporter, ImportSummary } from './cache-importer';
import { ImportQueryDto, NamespaceQueryDto, TenantQueryDto } from './dto/admin-query.dto';
import {
  AllTenantsStatsDto,
  DeleteEntryResultDto,
  ExportLineDto,
  ImportProgressDto,
  ImportResultDto,
  PurgeResultDto,
  TenantStatsDto,
} from './dto/admin-response.dto';
import { ImportLineDto } from './dto/import-line.dto';
import { NDJSON_BODY_LIMIT, NDJSON_CONTENT_TYPE } from './ndjson-body.parser';
import { QueryParamsPipe } from './query-params.pipe';
import { scopeOf, tenantOf } from './tenant-scope';

export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;
const ENTRY_KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const NDJSON = `${NDJSON_CONTENT_TYPE}; charset=utf-8`;

type AdminRequest = FastifyRequest & CallerAwareRequest;

function importResultOf(summary: ImportSummary): ImportResultDto {
  return {
    imported: summary.imported,
    failed: summary.failed,
    errors: summary.errors,
    ...(summary.errorsTruncated ? { errors_truncated: true as const } : {}),
  };
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid query parameters, or no `tenant` with the admin key on a tenant-scoped route',
  401: 'Missing or invalid API key (when API_KEYS or ADMIN_API_KEY is set)',
  403: 'A tenant key named another tenant in `tenant`',
  404: 'No entry with that key in the tenant’s namespace',
  413: 'Body larger than 50 MB',
  415: 'The body is not application/x-ndjson',
  503: 'The cache backend (Redis) is unavailable',
};

/** Documents the error envelope for the given statuses. */
const ApiAdminErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status], type: ErrorEnvelopeDto }),
    ),
  );

/**
 * Cache administration. Every route takes an API key when keys are configured; a tenant key acts
 * on its own tenant, the admin key (ADMIN_API_KEY) on the tenant named by `?tenant=`.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@ApiExtraModels(ImportLineDto, ImportProgressDto, ExportLineDto)
@Controller('api/v1/cache')
export class AdminController {
  private readonly logger = new Logger(AdminController.name);

  constructor(
    private readonly admin: AdminService,
    private readonly importer: CacheImporter,
  ) {}

  @Get('stats')
  @ApiOperation({
    summary:
      'Entries and hit counters of a tenant (or, for the admin key without tenant, of every tenant)',
    description:
      'entries/bytes come from the cache store (with Redis, a SCAN of the tenant’s keys). ' +
      'hits, misses and cost_saved_usd are the Prometheus counters of the gateway process that answers: ' +
      'per process since it started, for the tenant asked about (all tenants for the admin without tenant), not summed across replicas.',
  })
  @ApiExtraModels(TenantStatsDto, AllTenantsStatsDto)
  @ApiOkResponse({
    description: 'TenantStats for a tenant; AllTenantsStats for the admin key without `tenant`',
    schema: {
      oneOf: [{ $ref: getSchemaPath(TenantStatsDto) }, { $ref: getSchemaPath(AllTenantsStatsDto) }],
    },
  })
  @ApiAdminErrors(400, 401, 403, 503)
  stats(
    @Req() request: AdminRequest,
    @Query(QueryParamsPipe) query: TenantQueryDto,
  ): Promise<TenantStatsDto | AllTenantsStatsDto> {
    const tenant = scopeOf(callerOf(request), query.tenant);
    return tenant === undefined ? this.admin.allStats() : this.admin.tenantStats(tenant);
  }

  @Delete()
  @ApiOperation({ summary: 'Purge one namespace of a tenant' })
  @ApiOkResponse({ type: PurgeResultDto })
  @ApiAdminErrors(400, 401, 403, 503)
  async purge(
    @Req() request: AdminRequest,
    @Query(QueryParamsPipe) query: NamespaceQueryDto,
  ): Promise<PurgeResultDto> {
    const tenant = tenantOf(callerOf(request), query.tenant);
    const namespace = query.namespace ?? DEFAULT_NAMESPACE;
    return { tenant, namespace, deleted: await this.admin.purge(tenant, namespace) };
  }

  @Delete('entries/:key')
  @ApiOperation({
    summary: 'Delete one entry by its key',
    description: 'The key is the `key` field of GET /api/v1/cache/export (base64url).',
  })
  @ApiParam({ name: 'key', description: 'Entry key (base64url), as exported' })
  @ApiOkResponse({ type: DeleteEntryResultDto })
  @ApiAdminErrors(400, 401, 403, 404, 503)
  async deleteEntry(
    @Param('key') key: string,
    @Req() request: AdminRequest,
    @Query(QueryParamsPipe) query: NamespaceQueryDto,
  ): Promise<DeleteEntryResultDto> {
    const tenant = tenantOf(callerOf(request), query.tenant);
    const namespace = query.namespace ?? DEFAULT_NAMESPACE;
    if (!ENTRY_KEY_PATTERN.test(key)) {
      throw new ApiError(400, 'invalid_request', 'key must be a base64url entry key, as exported');
    }
    await this.admin.deleteEntry(tenant, namespace, key);
    return { tenant, namespace, key, deleted: true };
  }

  @Post('import')
  @HttpCode(200)
  @RouteConfig({ [NDJSON_BODY_LIMIT]: IMPORT_BODY_LIMIT })
  @ApiOperation({
    summary: 'Warm the cache from NDJSON question/answer pairs (up to 50 MB)',
    description:
      'One ImportLine JSON object per line; blank lines are skipped. Each line is validated, routed and keyed as ' +
      'POST /api/v1/query would be, so the same query afterwards is an exact hit. Bad lines are reported with their ' +
      'line numbers (the first 1,000) while good lines are imported. With ?stream=true the answer is ' +
      'application/x-ndjson: an ImportProgress line every 1,000 lines, then the ImportResult with "done": true.',
  })
  @ApiConsumes(NDJSON_CONTENT_TYPE)
  @ApiBody({
    description: `NDJSON: one ImportLine per line (${getSchemaPath(ImportLineDto)})`,
    schema: {
      type: 'string',
      example: '{"query":"What is our refund policy?","answer":"30 days."}\n',
    },
  })
  @ApiProduces('application/json', NDJSON_CONTENT_TYPE)
  @ApiOkResponse({ type: ImportResultDto })
  @ApiAdminErrors(400, 401, 403, 413, 415, 503)
  async import(
    @Body() body: string,
    @Req() request: AdminRequest,
    @Query(QueryParamsPipe) query: ImportQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportResultDto | Readable> {
    const tenant = tenantOf(callerOf(request), query.tenant);
    if (typeof body !== 'string') {
      throw new ApiError(415, 'unsupported_media_type', `Send the lines as ${NDJSON_CONTENT_TYPE}`);
    }
    if (body.trim() === '') {
      throw new ApiError(400, 'invalid_request', 'The body has no NDJSON lines');
    }
    this.admin.ensureAvailable();
    const namespace = query.namespace ?? DEFAULT_NAMESPACE;
    const semantic = query.semantic !== 'false';
    if (query.stream !== 'true') {
      return importResultOf(await this.importer.run(tenant, body, { namespace, semantic }));
    }
    const out = new PassThrough();
    // A client that went away destroys the stream; the import itself still completes.
    const write = (line: object) => {
      if (!out.destroyed) out.write(`${JSON.stringify(line)}\n`);
    };
    this.importer
      .run(tenant, body, { namespace, semantic, onProgress: (progress) => write(progress) })
      .then((summary) =>
        write({ done: true, processed: summary.processed, ...importResultOf(summary) }),
      )
      .catch((error: unknown) => {
        this.logger.warn(`import ${request.id} stopped: ${(error as Error).message}`);
        write(toErrorResponse(error, request.id).body);
      })
      .finally(() => {
        if (!out.destroyed) out.end();
      });
    reply.header('content-type', NDJSON);
    return out;
  }

  @Get('export')
  @ApiOperation({
    summary: 'Stream a namespace’s entries as NDJSON',
    description:
      'One ExportLine per entry, streamed. Prompts are not stored in the cache, so an export cannot be ' +
      're-imported as is; its `key` is what DELETE /api/v1/cache/entries/{key} takes.',
  })
  @ApiProduces(NDJSON_CONTENT_TYPE)
  @ApiOkResponse({
    description: `NDJSON, one ExportLine (${getSchemaPath(ExportLineDto)}) per line`,
    schema: { type: 'string' },
  })
  @ApiAdminErrors(400, 401, 403, 503)
  export(
    @Req() request: AdminRequest,
    @Query(QueryParamsPipe) query: NamespaceQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Readable {
    const tenant = tenantOf(callerOf(request), query.tenant);
    const stream = this.admin.exportStream(tenant, query.namespace ?? DEFAULT_NAMESPACE);
    reply.header('content-type', NDJSON);
    return stream;
  }
}
