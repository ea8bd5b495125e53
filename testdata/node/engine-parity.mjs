// Reference for the Java engine's parity test: transformers.js greedy output and tokenizer ids on a local bundle.
// usage: node engine-parity.mjs BUNDLE_DIR DTYPE(fp32|q8) INPUTS_FILE MAX_NEW_TOKENS
// prints one JSON object per input line: {"ids": [...tokenizer ids...], "out": [...generated ids, start token dropped...]}
import { AutoTokenizer, AutoModelForSeq2SeqLM, env } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [bundle, dtype, inputsFile, maxNew] = process.argv.slice(2);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(bundle)) + path.sep;
const name = path.basename(path.resolve(bundle));

const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForSeq2SeqLM.from_pretrained(name, { dtype, device: 'cpu' });
const lines = readFileSync(inputsFile, 'utf8').split('\n');
if (lines.length && lines[lines.length - 1] === '') lines.pop();
for (const text of lines) {
  const enc = tokenizer(text);
  const ids = Array.from(enc.input_ids.data, Number);
  const out = await model.generate({ ...enc, max_new_tokens: Number(maxNew), num_beams: 1, do_sample: false });
  const gen = out.tolist()[0].map(Number).slice(1);
  process.stdout.write(JSON.stringify({ ids, out: gen }) + '\n');
}
await model.dispose();
