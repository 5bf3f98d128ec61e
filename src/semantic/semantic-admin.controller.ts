import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { callerOf, CallerAwareRequest } from '../auth/caller';
import { ApiError } from '../common/errors/api-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import {
  FeedbackRequestDto,
  FeedbackResultDto,
  RestoreResultDto,
  VectorSnapshotDto,
  VectorSnapshotListDto,
} from './dto/feedback.dto';
import { SnapshotNotFoundError } from './index/snapshot-not-found.error';
import { VectorSnapshot } from './index/vector-store.port';
import { SemanticCacheService } from './semantic-cache.service';

type AdminRequest = FastifyRequest & CallerAwareRequest;

const SNAPSHOT_NAME = /^[A-Za-z0-9._-]{1,128}$/;

function snapshotDto(snapshot: VectorSnapshot): VectorSnapshotDto {
  return {
    name: snapshot.name,
    created_at: new Date(snapshot.createdAt).toISOString(),
    bytes: snapshot.bytes,
  };
}

/**
 * Feedback on semantic hits, and backups of the semantic index. Snapshots hold every tenant's
 * entries, so only the admin key (ADMIN_API_KEY) may take or restore them.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('api/v1/cache')
export class SemanticAdminController {
  constructor(private readonly semantic: SemanticCacheService) {}

  @Post('feedback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report a wrong semantic hit',
    description:
      'By the request id of a response that came from the semantic cache (x-cache: SEMANTIC). That question is never served that entry again, and the entry’s own threshold rises above the score of the wrong hit, so similar look-alikes stop matching it too. With Redis configured, hits are recorded in Redis until their entry expires, so any replica takes the report; without Redis, the last 50,000 semantic hits of this process. Another tenant’s request id, or one already reported, is unknown to the caller.',
  })
  @ApiOkResponse({ type: FeedbackResultDto })
  @ApiErrors(400, 401, 404, 429, 503)
  async feedback(
    @Body() body: FeedbackRequestDto,
    @Req() request: AdminRequest,
  ): Promise<FeedbackResultDto> {
    const caller = callerOf(request);
    const result = await this.withStore(() =>
      this.semantic.reportWrongHit(body.request_id, caller.admin ? undefined : caller.tenant),
    );
    if (result === 'unknown_request') {
      throw new ApiError(
        404,
        'not_found',
        `No semantic hit with request id ${body.request_id} is known to this gateway`,
      );
    }
    return { request_id: body.request_id, recorded: true };
  }

  @Post('semantic/snapshots')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Snapshot the semantic index (admin key)',
    description:
      'A consistent copy taken while serving: under DATA_DIR/semantic/snapshots for the embedded index, the collection snapshot API for Qdrant.',
  })
  @ApiResponse({ status: 201, type: VectorSnapshotDto })
  @ApiErrors(401, 403, 503)
  async createSnapshot(@Req() request: AdminRequest): Promise<VectorSnapshotDto> {
    this.requireAdmin(request);
    return snapshotDto(await this.withStore(() => this.semantic.createSnapshot()));
  }

  @Get('semantic/snapshots')
  @ApiOperation({ summary: 'List snapshots of the semantic index (admin key)' })
  @ApiOkResponse({ type: VectorSnapshotListDto })
  @ApiErrors(401, 403, 503)
  async listSnapshots(@Req() request: AdminRequest): Promise<VectorSnapshotListDto> {
    this.requireAdmin(request);
    const snapshots = await this.withStore(() => this.semantic.listSnapshots());
    return { backend: this.semantic.backend, snapshots: snapshots.map(snapshotDto) };
  }

  @Post('semantic/snapshots/:name/restore')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace the semantic index with a snapshot (admin key)',
    description:
      'Entries written since the snapshot are gone from the semantic layer afterwards (their exact entries stay). Queries are served throughout.',
  })
  @ApiParam({ name: 'name', description: 'A name from GET /api/v1/cache/semantic/snapshots' })
  @ApiOkResponse({ type: RestoreResultDto })
  @ApiErrors(400, 401, 403, 404, 503)
  async restoreSnapshot(
    @Param('name') name: string,
    @Req() request: AdminRequest,
  ): Promise<RestoreResultDto> {
    this.requireAdmin(request);
    if (!SNAPSHOT_NAME.test(name)) {
      throw new ApiError(400, 'invalid_request', 'name must be a snapshot name, as listed');
    }
    await this.withStore(() => this.semantic.restoreSnapshot(name));
    return { restored: name, entries: await this.semantic.count() };
  }

  private requireAdmin(request: AdminRequest): void {
    if (!callerOf(request).admin) {
      throw new ApiError(
        403,
        'forbidden',
        'Snapshots hold every tenant’s entries: use ADMIN_API_KEY',
      );
    }
  }

  /** Store failures become the envelope: 404 for an unknown snapshot, 503 when the store is down. */
  private async withStore<T>(work: () => Promise<T>): Promise<T> {
    if (!this.semantic.ready) {
      throw new ApiError(503, 'semantic_unavailable', 'The semantic cache is not available');
    }
    try {
      return await work();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof SnapshotNotFoundError) {
        throw new ApiError(404, 'not_found', error.message);
      }
      throw new ApiError(
        503,
        'semantic_unavailable',
        `The ${this.semantic.backend} vector store failed: ${(error as Error).message}`,
      );
    }
  }
}
