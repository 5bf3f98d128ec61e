import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'ragcache:public';

/** Routes that need no API key and are not rate limited: probes, and metrics unless a key is set. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
