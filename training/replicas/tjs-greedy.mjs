// transformers.js greedy reference for a replica bundle: loads the bundle as transformers.js would (AutoTokenizer,
// AutoModelForSeq2SeqLM, fp32, encoder_model.onnx + decoder_model_merged.onnx), tokenizes each input of the Python
// golden file and generates greedily with the same options (forced_bos_token_id ...; the rest from
// generation_config.json), and compares both with the Python reference.
//
// usage: node tjs-greedy.mjs BUNDLE_DIR GREEDY_JSONL OUT_JSONL [TOKENIZER_JSON]
//   TOKENIZER_JSON: a converted tokenizer.json for layouts that have none (Marian, M2M100)
//   TJS_NODE_MODULES: the node_modules holding @huggingface/transformers 4.3.1 (default: ../../testdata/node/node_modules)
// Writes one line per input: {"text", "ids", "out", "ids_equal", "out_equal"}; prints a summary; exit 0 even on
// mismatches (they are reported, not fatal).
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [bundle, goldenFile, outFile, tokenizerJson] = process.argv.slice(2);
const modules = process.env.TJS_NODE_MODULES || path.join(here, '..', '..', 'testdata', 'node', 'node_modules');
const { AutoTokenizer, AutoModelForSeq2SeqLM, env } = await import(
  pathToFileURL(path.join(modules, '@huggingface', 'transformers', 'dist', 'transformers.node.mjs')).href);

// transformers.js reads ONNX files from onnx/ under the model folder: lay the bundle out that way with links.
const root = mkdtempSync(path.join(os.tmpdir(), 'tjs-replica-'));
const name = 'model';
const dir = path.join(root, name);
mkdirSync(path.join(dir, 'onnx'), { recursive: true });
for (const f of readdirSync(bundle)) {
  const target = path.resolve(bundle, f);
  symlinkSync(target, f.endsWith('.onnx') ? path.join(dir, 'onnx', f) : path.join(dir, f));
}
if (tokenizerJson) symlinkSync(path.resolve(tokenizerJson), path.join(dir, 'tokenizer.json'));

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = root + path.sep;
const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForSeq2SeqLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });

const golden = readFileSync(goldenFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
const lines = [];
let idsOk = 0, outOk = 0;
for (const g of golden) {
  const enc = tokenizer(g.text);
  const ids = Array.from(enc.input_ids.data, Number);
  const { num_beams, ...opts } = g.options;
  const out = await model.generate({ ...enc, ...opts, num_beams: 1, do_sample: false });
  const gen = out.tolist()[0].map(Number).slice(1); // drop the decoder start token
  const idsEqual = JSON.stringify(ids) === JSON.stringify(g.input_ids);
  const outEqual = JSON.stringify(gen) === JSON.stringify(g.tokens);
  idsOk += idsEqual;
  outOk += outEqual;
  lines.push(JSON.stringify({ text: g.text, ids, out: gen, ids_equal: idsEqual, out_equal: outEqual }));
}
writeFileSync(outFile, lines.join('\n') + '\n');
await model.dispose();
rmSync(root, { recursive: true, force: true });
console.log(`${path.basename(path.resolve(bundle))}: transformers.js input ids equal ${idsOk}/${golden.length}, ` +
  `greedy output equal ${outOk}/${golden.length}`);
