import { AsyncResource } from 'node:async_hooks';

const INSTALLED = Symbol.for('ragcache.asyncResourceBind');

type Bindable = typeof AsyncResource & { [INSTALLED]?: true };

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Makes `AsyncResource.bind` cheap on Node 20. Nest's interceptor chain calls it once per
 * interceptor and once more for the handler, on every request, so that AsyncLocalStorage
 * context follows the handler. Node 20's version also defines a deprecated `asyncResource`
 * accessor (DEP0172) on every bound function, wrapping its getter and setter with
 * `util.deprecate`, which sets prototypes: measured at 7 µs per call, about 25 µs of an exact
 * hit's CPU time with the two global interceptors (docs/benchmarks.md).
 *
 * The replacement keeps what callers rely on: the function runs in a new resource's async
 * scope (its context is the caller's at bind time), with the call's `this` or the given
 * `thisArg`, its arguments and its `length`. Only the deprecated accessor is gone. Installed
 * once per process, by `createApp`.
 */
export function installCheapAsyncResourceBind(): void {
  const target = AsyncResource as Bindable;
  if (target[INSTALLED]) return;
  target[INSTALLED] = true;
  AsyncResource.bind = ((fn: AnyFunction, type?: string, thisArg?: unknown) => {
    const resource = new AsyncResource(type || fn.name || 'bound-anonymous-fn');
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(fn, this, ...args);
          }
        : (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
    Object.defineProperty(bound, 'length', { configurable: true, value: fn.length });
    return bound;
  }) as typeof AsyncResource.bind;
}
