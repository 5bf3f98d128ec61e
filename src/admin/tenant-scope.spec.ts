import { scopeOf, tenantOf } from './tenant-scope';

const tenantKey = { tenant: 'acme', limitKey: 'key:1', admin: false };
const adminKey = { tenant: 'admin', limitKey: 'key:2', admin: true };

describe('tenant scope of an admin call', () => {
  it('keeps a tenant key to its own tenant', () => {
    expect(scopeOf(tenantKey, undefined)).toBe('acme');
    expect(scopeOf(tenantKey, 'acme')).toBe('acme');
    expect(() => scopeOf(tenantKey, 'globex')).toThrow(
      expect.objectContaining({ code: 'forbidden', status: 403 }),
    );
  });

  it('lets the admin key name any tenant, or none for every tenant', () => {
    expect(scopeOf(adminKey, 'globex')).toBe('globex');
    expect(scopeOf(adminKey, undefined)).toBeUndefined();
    expect(tenantOf(adminKey, 'globex')).toBe('globex');
    expect(() => tenantOf(adminKey, undefined)).toThrow(
      expect.objectContaining({ code: 'tenant_required', status: 400 }),
    );
  });
});
