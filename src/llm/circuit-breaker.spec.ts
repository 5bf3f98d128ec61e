import { ApiError } from '../common/errors/api-error';
import { CircuitBreaker } from './circuit-breaker';

const failing =
  (code: string, status = 502) =>
  () =>
    Promise.reject(new ApiError(status, code, 'failed'));
const succeeding = () => Promise.resolve('ok');

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe('CircuitBreaker', () => {
  let clock = 0;
  const breaker = () =>
    new CircuitBreaker('openai', { failureThreshold: 3, openMs: 10_000 }, () => clock);

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('opens after consecutive provider failures and then fails fast with 503 and Retry-After', async () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++)
      expect(await codeOf(circuit.run(failing('upstream_error')))).toBe('upstream_error');
    expect(circuit.state).toBe('open');
    const call = jest.fn(succeeding);
    clock += 4_000;
    try {
      await circuit.run(call);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as ApiError).getStatus()).toBe(503);
      expect((error as ApiError).code).toBe('provider_unavailable');
      expect((error as ApiError).headers['retry-after']).toBe('6');
    }
    expect(call).not.toHaveBeenCalled();
  });

  it('lets one trial through after the pause: success closes, failure opens again', async () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) await codeOf(circuit.run(failing('upstream_timeout', 504)));
    clock += 10_000;
    expect(await codeOf(circuit.run(failing('upstream_unreachable')))).toBe('upstream_unreachable');
    expect(circuit.state).toBe('open');
    clock += 10_000;
    expect(await circuit.run(succeeding)).toBe('ok');
    expect(circuit.state).toBe('closed');
  });

  it('refuses other calls while the trial is in flight', async () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) await codeOf(circuit.run(failing('upstream_error')));
    clock += 10_000;
    let finish!: (value: string) => void;
    const trial = circuit.run(() => new Promise<string>((resolve) => (finish = resolve)));
    expect(await codeOf(circuit.run(succeeding))).toBe('provider_unavailable');
    finish('ok');
    expect(await trial).toBe('ok');
    expect(await circuit.run(succeeding)).toBe('ok');
  });

  it('does not count client errors or rate limits, and a success resets the count', async () => {
    const circuit = breaker();
    await codeOf(circuit.run(failing('upstream_error')));
    await codeOf(circuit.run(failing('upstream_error')));
    await circuit.run(succeeding);
    await codeOf(circuit.run(failing('upstream_error')));
    for (let i = 0; i < 5; i++) {
      await codeOf(circuit.run(failing('upstream_rejected_request', 400)));
      await codeOf(circuit.run(failing('upstream_rate_limited', 429)));
    }
    expect(circuit.state).toBe('closed');
  });

  it('is off with a threshold of 0', async () => {
    const circuit = new CircuitBreaker(
      'anthropic',
      { failureThreshold: 0, openMs: 1 },
      () => clock,
    );
    for (let i = 0; i < 10; i++) await codeOf(circuit.run(failing('upstream_error')));
    expect(await circuit.run(succeeding)).toBe('ok');
  });
});
