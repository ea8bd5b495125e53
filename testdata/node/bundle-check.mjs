// Loads a model bundle from a local folder with transformers.js (no hub) and checks it against the reference files
// that training/reference_search.py writes:
//   tokenizer-ids.jsonl  transformers.js tokenizer ids == SentencePiece ids (EOS appended), every string
//   greedy.jsonl         fp32 greedy output == the PyTorch reference, token for token up to the first EOS
//                        (transformers.js keeps appending tokens after EOS in finished rows)
//   q8                   the _quantized files load and generate; agreement with the reference is reported, not required
//                        (dynamic activation quantization rounds differently from fp32)
// usage: node bundle-check.mjs BUNDLE_DIR GOLDEN_DIR
// prints one JSON summary line; exit code 1 on any mismatch (the first few are printed to stderr).
import { AutoTokenizer, AutoModelForSeq2SeqLM, env } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [bundle, golden] = process.argv.slice(2);
if (!bundle || !golden) {
  console.error('usage: node bundle-check.mjs BUNDLE_DIR GOLDEN_DIR');
  process.exit(2);
}
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(bundle)) + path.sep;
const name = path.basename(path.resolve(bundle));

const readJsonl = (file) => readFileSync(path.join(golden, file), 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
const upToEos = (ids, eos) => {
  const i = ids.indexOf(eos);
  return i < 0 ? ids : ids.slice(0, i + 1);
};
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const problems = [];
const report = (what) => {
  problems.push(what);
  if (problems.length <= 5) console.error(what);
};

const tokenizer = await AutoTokenizer.from_pretrained(name);
const strings = readJsonl('tokenizer-ids.jsonl');
for (const { text, ids, tied = [] } of strings) {
  const got = Array.from(tokenizer(text).input_ids.data, Number);
  if (!same(got, ids) && !tied.some((alt) => same(got, alt))) report(`tokenizer: ${JSON.stringify(text)}: sentencepiece ${JSON.stringify(ids)}, transformers.js ${JSON.stringify(got)}`);
}

const greedy = readJsonl('greedy.jsonl');
const summary = { bundle: name, tokenizer_strings: strings.length, greedy_inputs: greedy.length };
for (const dtype of ['fp32', 'q8']) {
  const model = await AutoModelForSeq2SeqLM.from_pretrained(name, { dtype, device: 'cpu' });
  const eos = model.config.eos_token_id;
  let agree = 0;
  for (const { text, input_ids, tokens } of greedy) {
    const enc = tokenizer(text);
    const ids = Array.from(enc.input_ids.data, Number);
    if (!same(ids, input_ids)) report(`${dtype}: ${JSON.stringify(text)}: input ids differ from the reference's`);
    const out = await model.generate({ ...enc, num_beams: 1, do_sample: false });
    const gen = upToEos(out.tolist()[0].map(Number).slice(1), eos);
    if (same(gen, tokens)) agree++;
    else if (dtype === 'fp32') report(`fp32 greedy: ${JSON.stringify(text)}: reference ${JSON.stringify(tokens)}, transformers.js ${JSON.stringify(gen)}`);
    if (gen.length === 0) report(`${dtype}: ${JSON.stringify(text)}: nothing generated`);
  }
  summary[`${dtype}_agree`] = agree;
  await model.dispose();
}
summary.problems = problems.length;
process.stdout.write(JSON.stringify(summary) + '\n');
process.exit(problems.length ? 1 : 0);
