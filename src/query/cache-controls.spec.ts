import { ApiError } from '../common/errors/api-error';
import { readCacheControls } from './cache-controls';

describe('readCacheControls', () => {
  it('looks up and stores with the default TTL and namespace when nothing is said', () => {
    expect(readCacheControls({}, 600)).toEqual({
      bypass: false,
      lookup: true,
      store: true,
      ttlSeconds: 600,
      namespace: 'default',
    });
  });

  it('reads Cache-Control directives case-insensitively among others', () => {
    expect(readCacheControls({ cacheControl: 'max-age=0, No-Cache' }, 600)).toMatchObject({
      lookup: false,
      store: true,
    });
    expect(readCacheControls({ cacheControl: 'no-store' }, 600)).toMatchObject({
      lookup: true,
      store: false,
    });
    expect(readCacheControls({ cacheControl: 'no-cache, no-store' }, 600)).toMatchObject({
      lookup: false,
      store: false,
      bypass: false,
    });
  });

  it('turns use_cache: false into a full bypass', () => {
    expect(readCacheControls({ useCache: false }, 600)).toMatchObject({
      bypass: true,
      lookup: false,
      store: false,
    });
  });

  it('lets body fields win over headers', () => {
    const controls = readCacheControls(
      { ttlHeader: '30', ttlSeconds: 90, namespaceHeader: 'header-ns', namespace: 'body-ns' },
      600,
    );
    expect(controls).toMatchObject({ ttlSeconds: 90, namespace: 'body-ns' });
    expect(readCacheControls({ ttlHeader: ' 45 ', namespaceHeader: 'docs.v2' }, 600)).toMatchObject(
      { ttlSeconds: 45, namespace: 'docs.v2' },
    );
  });

  it.each([['0'], ['-1'], ['1.5'], ['abc'], ['31536001'], ['']])(
    'rejects x-cache-ttl: %j with 400',
    (ttlHeader) => {
      expect(() => readCacheControls({ ttlHeader }, 600)).toThrow(ApiError);
    },
  );

  it.each([['a/b'], ['a b'], [''], ['x'.repeat(65)], ['{tag}']])(
    'rejects x-cache-namespace: %j with 400',
    (namespaceHeader) => {
      expect(() => readCacheControls({ namespaceHeader }, 600)).toThrow(ApiError);
    },
  );
});
