import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installCheapAsyncResourceBind } from './async-resource-bind';

describe('installCheapAsyncResourceBind', () => {
  beforeAll(() => installCheapAsyncResourceBind());

  it('drops the deprecated asyncResource accessor', () => {
    expect(
      Object.getOwnPropertyDescriptor(
        AsyncResource.bind(() => 1),
        'asyncResource',
      ),
    ).toBe(undefined);
  });

  it('runs the function in the async context it was bound in', async () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('bound here', () => AsyncResource.bind(() => storage.getStore()));
    expect(await storage.run('called here', () => Promise.resolve().then(bound))).toBe(
      'bound here',
    );
  });

  it('passes the arguments, the call’s this or the given thisArg, and keeps the length', () => {
    function describeCall(this: unknown, a: number, b: number) {
      return { self: this, sum: a + b };
    }
    const receiver = { name: 'receiver' };
    const unbound = AsyncResource.bind(describeCall);
    expect(unbound.length).toBe(2);
    expect(unbound.call(receiver, 1, 2)).toEqual({ self: receiver, sum: 3 });
    const given = { name: 'given' };
    expect(AsyncResource.bind(describeCall, 'call', given).call(receiver, 2, 3)).toEqual({
      self: given,
      sum: 5,
    });
  });

  it('is installed once, whoever calls it again', () => {
    const installed = AsyncResource.bind;
    installCheapAsyncResourceBind();
    expect(AsyncResource.bind).toBe(installed);
  });
});
