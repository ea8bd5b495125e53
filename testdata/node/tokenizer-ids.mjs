// Reference for the Java tokenizer test: transformers.js token ids (special tokens added) of each text.
// usage: node tokenizer-ids.mjs BUNDLE_DIR TEXTS_JSONL   (one JSON object with a "text" field per line)
// prints one JSON object per line: {"ids": [...]}
import { AutoTokenizer, env } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [bundle, textsFile] = process.argv.slice(2);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(bundle)) + path.sep;
const tokenizer = await AutoTokenizer.from_pretrained(path.basename(path.resolve(bundle)));
for (const line of readFileSync(textsFile, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  const { text } = JSON.parse(line);
  const ids = Array.from(tokenizer(text).input_ids.data, Number);
  process.stdout.write(JSON.stringify({ ids }) + '\n');
}
