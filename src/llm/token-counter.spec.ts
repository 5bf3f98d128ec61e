import { ChatRequest } from './chat.types';
import { TokenCounter } from './token-counter';

describe('TokenCounter', () => {
  const counter = new TokenCounter();
  const request = (provider: ChatRequest['provider'], model: string): ChatRequest => ({
    provider,
    model,
    system: 'You are terse.',
    messages: [{ role: 'user', content: 'hello world' }],
    params: {},
  });

  it('counts OpenAI text with the model family’s tiktoken vocabulary', () => {
    expect(counter.countText('openai', 'gpt-4o', 'hello world')).toBe(2);
    expect(counter.countText('openai', 'gpt-4', 'hello world')).toBe(2);
    // The vocabularies differ: a long non-English text tokenises to different counts.
    const text = 'Сколько будет стоить доставка в Новосибирск?';
    expect(counter.countText('openai', 'gpt-4o', text)).not.toBe(
      counter.countText('openai', 'gpt-3.5-turbo', text),
    );
  });

  it('adds OpenAI’s per-message overhead to a prompt', () => {
    const system = counter.countText('openai', 'gpt-4o', 'You are terse.');
    const user = counter.countText('openai', 'gpt-4o', 'hello world');
    expect(counter.countPrompt(request('openai', 'gpt-4o'))).toBe(system + user + 3 * 2 + 3);
  });

  it('estimates Anthropic prompts at 3.5 characters per token', () => {
    expect(counter.countText('anthropic', 'claude-haiku-4-5', 'x'.repeat(35))).toBe(10);
    expect(counter.countPrompt(request('anthropic', 'claude-haiku-4-5'))).toBe(
      Math.ceil('You are terse.\nhello world'.length / 3.5),
    );
  });
});
