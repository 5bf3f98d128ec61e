import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { DtoValidator } from '../common/validation/dto-validator';

/**
 * Validates a query string against its DTO class, as the global pipe does for bodies (which it
 * leaves query strings alone). Unknown parameters are refused, so `?tennant=` is not ignored.
 */
@Injectable()
export class QueryParamsPipe implements PipeTransform {
  private readonly validator = new DtoValidator();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype } = metadata;
    if (metadata.type !== 'query' || !metatype || metatype === Object) return value;
    const result = this.validator.validate(metatype as new () => object, { ...(value ?? {}) });
    if (!result.valid) throw new ApiError(400, 'invalid_request', result.message);
    return result.value;
  }
}
