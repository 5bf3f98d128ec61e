import { canonicalJson } from './canonical-json';
import { deriveEntryKey, normalizePrompt, ScopeInput } from './cache-key';

const base: ScopeInput = {
  tenant: 'acme',
  namespace: 'default',
  provider: 'openai',
  model: 'gpt-4o-mini',
  system: 'You are terse.',
  history: [],
  params: { temperature: 0.2, max_tokens: 256 },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('keeps null distinct from an absent member', () => {
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });
});

describe('normalizePrompt', () => {
  it('trims and folds white space but keeps case and punctuation', () => {
    expect(normalizePrompt('  What is\tthe   capital\nof France? ')).toBe(
      'What is the capital of France?',
    );
    expect(normalizePrompt('US')).not.toBe(normalizePrompt('us'));
  });

  it('folds compatibility forms of unicode', () => {
    expect(normalizePrompt('ｆｕｌｌwidth')).toBe('fullwidth');
  });
});

describe('deriveEntryKey', () => {
  const key = (changes: Partial<ScopeInput>, prompt = 'What is the capital of France?') =>
    deriveEntryKey({ ...base, ...changes }, prompt);

  it('is stable for the same input and for reordered parameters', () => {
    expect(key({})).toEqual(key({}));
    expect(key({ params: { max_tokens: 256, temperature: 0.2 } }).hash).toBe(key({}).hash);
  });

  it('ignores white-space differences in the prompt', () => {
    expect(key({}, '  What is the capital   of France?').hash).toBe(key({}).hash);
  });

  it.each<[string, Partial<ScopeInput>]>([
    ['tenant', { tenant: 'globex' }],
    ['namespace', { namespace: 'support' }],
    ['provider', { provider: 'anthropic' }],
    ['model', { model: 'gpt-4o' }],
    ['system prompt', { system: 'You are verbose.' }],
    ['missing system prompt', { system: undefined }],
    ['earlier turns', { history: [{ role: 'user', content: 'Hi' }] }],
    ['temperature', { params: { temperature: 0.9, max_tokens: 256 } }],
    ['max tokens', { params: { temperature: 0.2, max_tokens: 512 } }],
    ['seed', { params: { temperature: 0.2, max_tokens: 256, seed: 7 } }],
    ['tools', { params: { temperature: 0.2, max_tokens: 256, tools: [{ name: 'x' }] } }],
  ])('changes scope and key when the %s changes', (_name, changes) => {
    expect(key(changes).scope).not.toBe(key({}).scope);
    expect(key(changes).hash).not.toBe(key({}).hash);
  });

  it('keeps the scope but changes the key when only the prompt changes', () => {
    const other = key({}, 'What is the capital of Spain?');
    expect(other.scope).toBe(key({}).scope);
    expect(other.hash).not.toBe(key({}).hash);
  });
});
