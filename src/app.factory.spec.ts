import { nestLogLevels } from './app.factory';

describe('nestLogLevels', () => {
  it('logs the named level and everything more severe', () => {
    expect(nestLogLevels('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(nestLogLevels('info')).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(nestLogLevels('trace')).toHaveLength(6);
  });
});
