import { Tiktoken } from 'js-tiktoken/lite';
import { ChatRequest } from './chat.types';

/** OpenAI's documented overhead: every message is wrapped in a few tokens, and the reply primed. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;

/**
 * Anthropic publishes no tokenizer. Its models average about 3.5 characters per token on English
 * prose, so requests to Claude are estimated as characters / 3.5, rounded up.
 */
const ANTHROPIC_CHARS_PER_TOKEN = 3.5;

/** Models before GPT-4o use cl100k_base; GPT-4o, 4.1, 5 and the o-series use o200k_base. */
const USES_CL100K = /^(gpt-4(?!o|\.)|gpt-3\.5|text-embedding)/;

type TiktokenRanks = ConstructorParameters<typeof Tiktoken>[0];
type EncodingName = 'o200k_base' | 'cl100k_base';

/**
 * Counts request tokens before the call: for OpenAI models exactly with js-tiktoken (its
 * vocabularies ship in the package, no download), for Anthropic models by the estimate above.
 */
export class TokenCounter {
  private readonly encoders = new Map<EncodingName, Tiktoken>();

  private encoder(name: EncodingName): Tiktoken {
    let encoder = this.encoders.get(name);
    if (!encoder) {
      // Loaded on first use: each vocabulary is a few MB that a gateway serving hits never needs.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ranks = require(`js-tiktoken/ranks/${name}`) as
        TiktokenRanks | { default: TiktokenRanks };
      encoder = new Tiktoken('default' in ranks ? ranks.default : ranks);
      this.encoders.set(name, encoder);
    }
    return encoder;
  }

  countText(provider: ChatRequest['provider'], model: string, text: string): number {
    if (provider === 'anthropic') return Math.ceil(text.length / ANTHROPIC_CHARS_PER_TOKEN);
    return this.encoder(USES_CL100K.test(model) ? 'cl100k_base' : 'o200k_base').encode(text).length;
  }

  countPrompt(request: ChatRequest): number {
    const texts = [
      ...(request.system === undefined ? [] : [request.system]),
      ...request.messages.map((message) => message.content),
    ];
    if (request.provider === 'anthropic') {
      return this.countText('anthropic', request.model, texts.join('\n'));
    }
    return (
      texts.reduce(
        (sum, text) => sum + TOKENS_PER_MESSAGE + this.countText('openai', request.model, text),
        0,
      ) + REPLY_PRIMING_TOKENS
    );
  }
}
