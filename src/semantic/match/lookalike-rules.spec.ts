import { AnalysedText } from './analysed-text';
import { LookalikeReason, lookalikeReason } from './lookalike-rules';

const compare = (query: string, stored: string) =>
  lookalikeReason(new AnalysedText(query), new AnalysedText(stored));

describe('lookalikeReason: look-alike rules', () => {
  it.each<[LookalikeReason, string, string]>([
    ['quantity', 'Convert 10 USD to EUR', 'Convert 20 USD to EUR'],
    ['quantity', 'What changed in Python 3.12?', 'What changed in Python 3.11?'],
    ['quantity', 'Best laptops of 2017', 'Best laptops of 2016'],
    ['quantity', 'Give me three tips for sleeping', 'Give me five tips for sleeping'],
    ['entity', 'What is the capital of France?', 'What is the capital of Spain?'],
    ['entity', 'How do I learn React quickly?', 'How do I learn Angular quickly?'],
    ['negation', 'Is it safe to drink tap water?', 'Is it not safe to drink tap water?'],
    ['negation', "You're fat.", "You're not fat."],
    ['negation', "That's foolish.", "That's wise."],
    ['negation', "You're not fat.", "You're not thin."],
    ['constraint', 'Write a poem about the sea', 'Write an essay about the sea'],
    ['constraint', 'Explain recursion', 'Explain recursion in one sentence'],
    ['direction', 'Convert USD to EUR', 'Convert EUR to USD'],
    ['direction', 'Is Rust faster than Go?', 'Is Go faster than Rust?'],
  ])('refuses a %s look-alike: %s / %s', (reason, query, stored) => {
    expect(compare(query, stored)).toBe(reason);
  });

  it.each([
    ["You're not fat.", "You're thin."],
    ["It's not healthy.", "It's unhealthy."],
    ["That's not acceptable.", "That's unacceptable."],
    ["It's looking bad.", "It's not looking good."],
    ['How can I fix my bike?', 'How do I repair my bike?'],
    ['What are the best phones?', 'What are the best phones of 2017?'],
  ])(
    'finds no look-alike where negations cancel out or words are reworded: %s / %s',
    (query, stored) => {
      expect(compare(query, stored)).toBeNull();
    },
  );
});

describe('AnalysedText', () => {
  it('expands contractions, finds numbers inside tokens and names inside sentences', () => {
    const text = new AnalysedText("Why can't I start a business in Lisbon with Rs.1 lakh?");
    expect(text.negations).toBe(1);
    expect(text.quantities).toEqual(['1']);
    expect(text.entities.has('lisbon')).toBe(true);
    expect(text.questionWord).toBe('why');
  });
});
