/**
 * Writes test/fixtures/models/tiny-sentence-encoder/: a BERT-shaped sentence encoder small enough
 * to commit, so the transformers.js loading code is tested offline (no model hub is reachable
 * here, and no ONNX sentence model is on npm). The "model" is a seeded word-embedding table:
 * `last_hidden_state = Gather(table, input_ids) * attention_mask`, so after mean pooling, texts
 * that share words are closer than texts that do not, which is all the tests need.
 *
 * Run: `node -r @swc-node/register scripts/make-tiny-sentence-model.ts`. The output is committed
 * and byte-for-byte reproducible. The ONNX protobuf is encoded by hand (a dozen fields) rather
 * than through an ONNX or protobuf package, which would be a dependency for one script.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { seededRandom } from './lib/seeded-random';

const OUT = 'test/fixtures/models/tiny-sentence-encoder';
const HIDDEN = 32;
const MAX_LENGTH = 128;
const SEED = 20240611;
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const SUFFIXES = ['##s', '##es', '##ed', '##ing', '##ly', '##er', '##est'];
const WORDS = `
a about above after again all also always am an and any are as ask at away back bad be because
been before being below best better between big black blue book both boy but buy by call can car
cat change child children city close cold come could country cup day did do does dog done door
down drink drive during each early earth eat end enough even evening every eye face family far
fast father few find fire first fish five food for four free friend from full game get girl give
go good great green group hand happy hard has have he head hear heart help her here high him his
home hot house how i if in into is it its just keep kind know large last late learn left let
life light like line little live long look love low make man many may me mean men money month
more morning most mother move much music must my name near need never new next night no not now
number of off often old on once one only open or other our out over own paper part people place
play please point price question quick quickly rain read red right river road room run same say
school sea see she short should show side since sleep slow small snow so some song soon start
stop story street sun sure table take talk tea tell than thank that the their them then there
these they thing think this those three through time to today together too tree true try two
under up us use very wait walk want warm was watch water way we weather week well went were what
when where which while white who why will window with woman word work world would write wrong
year yes yesterday you young your
. , ? ! ' - : ;
`
  .trim()
  .split(/\s+/);

function embeddingTable(rows: number): Float32Array {
  const next = seededRandom(SEED);
  const table = new Float32Array(rows * HIDDEN);
  // Box-Muller: Gaussian rows point in uniformly random directions, so distinct words are near-orthogonal.
  for (let i = 0; i < table.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    table[i] = radius * Math.cos(angle);
    table[i + 1] = radius * Math.sin(angle);
  }
  return table;
}

/** The protobuf wire format, only as much of it as ModelProto needs. */
class ProtoWriter {
  private readonly chunks: Buffer[] = [];

  varint(field: number, value: number): this {
    return this.tag(field, 0).raw(encodeVarint(value));
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, 2).raw(encodeVarint(value.length)).raw(value);
  }

  message(field: number, build: (writer: ProtoWriter) => unknown): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private tag(field: number, wireType: number): this {
    return this.raw(encodeVarint(field * 8 + wireType));
  }

  private raw(bytes: Uint8Array): this {
    this.chunks.push(Buffer.from(bytes));
    return this;
  }
}

function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

// onnx.proto3 field numbers and enum values.
const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

type Dim = number | string;

function valueInfo(w: ProtoWriter, name: string, elemType: number, dims: Dim[]): void {
  w.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.varint(1, elemType).message(2, (shape) => {
        for (const dim of dims) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.varint(1, dim) : d.string(2, dim)));
        }
      }),
    ),
  );
}

function tensor(
  w: ProtoWriter,
  name: string,
  dataType: number,
  dims: number[],
  data: Buffer,
): void {
  for (const dim of dims) w.varint(1, dim);
  w.varint(2, dataType).string(8, name).bytes(9, data);
}

function node(
  w: ProtoWriter,
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: { name: string; int?: number; ints?: number[] }[] = [],
): void {
  for (const input of inputs) w.string(1, input);
  for (const output of outputs) w.string(2, output);
  w.string(3, `${opType}_${outputs[0]}`).string(4, opType);
  for (const attribute of attributes) {
    w.message(5, (a) => {
      a.string(1, attribute.name);
      if (attribute.int !== undefined) a.varint(3, attribute.int).varint(20, ATTRIBUTE_INT);
      if (attribute.ints) {
        for (const value of attribute.ints) a.varint(8, value);
        a.varint(20, ATTRIBUTE_INTS);
      }
    });
  }
}

function onnxModel(vocabSize: number): Buffer {
  const table = embeddingTable(vocabSize);
  const axes = Buffer.alloc(8);
  axes.writeBigInt64LE(2n);
  return new ProtoWriter()
    .varint(1, 8) // ir_version
    .string(2, 'rag-cache make-tiny-sentence-model')
    .message(7, (graph) => {
      graph.message(1, (n) => node(n, 'Gather', ['word_embeddings', 'input_ids'], ['embedded']));
      graph.message(1, (n) =>
        node(n, 'Cast', ['attention_mask'], ['mask_float'], [{ name: 'to', int: FLOAT }]),
      );
      graph.message(1, (n) => node(n, 'Unsqueeze', ['mask_float', 'hidden_axis'], ['mask']));
      graph.message(1, (n) => node(n, 'Mul', ['embedded', 'mask'], ['last_hidden_state']));
      graph.string(2, 'tiny-sentence-encoder');
      graph.message(5, (t) =>
        tensor(t, 'word_embeddings', FLOAT, [vocabSize, HIDDEN], Buffer.from(table.buffer)),
      );
      graph.message(5, (t) => tensor(t, 'hidden_axis', INT64, [1], axes));
      graph.message(11, (v) => valueInfo(v, 'input_ids', INT64, ['batch', 'sequence']));
      graph.message(11, (v) => valueInfo(v, 'attention_mask', INT64, ['batch', 'sequence']));
      graph.message(12, (v) =>
        valueInfo(v, 'last_hidden_state', FLOAT, ['batch', 'sequence', HIDDEN]),
      );
    })
    .message(8, (opset) => opset.string(1, '').varint(2, 14))
    .finish();
}

function tokenizer(vocab: string[]): object {
  const special = SPECIAL.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const id = (token: string): [string, number] => [token, vocab.indexOf(token)];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((token) => [
          token,
          { id: token, ids: [id(token)[1]], tokens: [token] },
        ]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, index) => [token, index])),
    },
  };
}

async function main(): Promise<void> {
  const vocab = [...SPECIAL, ...WORDS, ...SUFFIXES];
  if (new Set(vocab).size !== vocab.length) throw new Error('the vocabulary has duplicates');
  mkdirSync(join(OUT, 'onnx'), { recursive: true });
  writeFileSync(join(OUT, 'onnx', 'model.onnx'), onnxModel(vocab.length));
  await writeJson('tokenizer.json', tokenizer(vocab));
  await writeJson('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: MAX_LENGTH,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  });
  await writeJson('config.json', {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: vocab.length,
    hidden_size: HIDDEN,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    intermediate_size: HIDDEN,
    max_position_embeddings: MAX_LENGTH,
    type_vocab_size: 1,
    pad_token_id: 0,
  });
  console.log(`wrote ${OUT}: ${vocab.length} tokens, ${HIDDEN} dimensions`);
}

// Formatted as `npm run format` would, so that format:check passes and a re-run changes nothing.
async function writeJson(name: string, value: object): Promise<void> {
  const file = join(OUT, name);
  const options = await resolveConfig(file);
  writeFileSync(file, await format(JSON.stringify(value), { ...options, filepath: file }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
