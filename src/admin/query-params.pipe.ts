import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { validateSync, ValidationError } from 'class-validator';
import { ApiError } from '../common/errors/api-error';

export function validationMessages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {});
    const nested = validationMessages(error.children ?? [], path);
    return own.length > 0 || nested.length > 0 ? [...own, ...nested] : [`${path} is invalid`];
  });
}

/**
 * Validates a query string against its DTO class, as the global pipe does for bodies (which it
 * leaves query strings alone). Unknown parameters are refused, so `?tennant=` is not ignored.
 */
@Injectable()
export class QueryParamsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype } = metadata;
    if (metadata.type !== 'query' || !metatype || metatype === Object) return value;
    const instance = Object.assign(
      Object.create(metatype.prototype as object) as object,
      value ?? {},
    );
    const errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0) {
      throw new ApiError(400, 'invalid_request', validationMessages(errors).join('; '));
    }
    return instance;
  }
}
