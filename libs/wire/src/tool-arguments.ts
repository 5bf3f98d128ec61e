import { UntranslatableError } from './untranslatable.error';

/**
 * OpenAI carries tool arguments as JSON text, Anthropic as a value. Text that is not JSON is
 * refused rather than passed on as a string the other side's callers would not expect.
 */
export function parseToolArguments(json: string, tool: string): unknown {
  try {
    // A tool called without arguments may come with none at all.
    return json === '' ? {} : JSON.parse(json);
  } catch {
    throw new UntranslatableError(`the arguments of the ${tool} tool call are not JSON`);
  }
}
