// transformers.js side of the `bench` command: greedy generation timed on the same bundle and inputs as the Java engine.
// usage: node bench.mjs BUNDLE_DIR DTYPE(fp32|q8) INPUTS_FILE MAX_NEW_TOKENS|default BATCH:SENTENCES[,BATCH:SENTENCES...]
// Batch k of size B takes input lines k*B .. k*B+B-1 modulo their number (as the Java side does); one untimed warm-up
// batch first. Prints one JSON object per batch size: batch, sentences, sourceTokens, outputTokens (up to the first
// EOS: transformers.js keeps appending after it), seconds (tokenize + generate + decode), rss.
// transformers.js 4.3.1 has no real beam search (generate() keeps the first candidate of its beam sampler), so only
// greedy search is compared.
import { AutoTokenizer, AutoModelForSeq2SeqLM, env } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [bundle, dtype, inputsFile, maxNewArg, planArg] = process.argv.slice(2);
if (!planArg) {
  console.error('usage: bench.mjs BUNDLE_DIR DTYPE INPUTS_FILE MAX_NEW_TOKENS|default BATCH:SENTENCES[,...]');
  process.exit(2);
}
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(bundle)) + path.sep;
const name = path.basename(path.resolve(bundle));
const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForSeq2SeqLM.from_pretrained(name, { dtype, device: 'cpu' });
const eos = Number(model.config.eos_token_id);
const inputs = readFileSync(inputsFile, 'utf8').split('\n');
if (inputs.length && inputs[inputs.length - 1] === '') inputs.pop();
const options = { num_beams: 1, do_sample: false };
if (maxNewArg !== 'default') options.max_new_tokens = Number(maxNewArg);

const batchOf = (k, b) => Array.from({ length: b }, (_, j) => inputs[(k * b + j) % inputs.length]);

async function translate(texts) {
  const enc = tokenizer(texts, { padding: true, truncation: true });
  const out = await model.generate({ ...enc, ...options });
  const rows = out.tolist().map((r) => r.map(Number).slice(1));
  const kept = rows.map((r) => { const e = r.indexOf(eos); return e < 0 ? r : r.slice(0, e); });
  tokenizer.batch_decode(kept, { skip_special_tokens: true });
  let src = 0;
  for (const v of enc.attention_mask.data) src += Number(v);
  return { src, out: kept.reduce((n, r) => n + r.length, 0) };
}

for (const item of planArg.split(',')) {
  const [b, s] = item.split(':').map(Number);
  await translate(batchOf(0, b));
  const batches = Math.max(1, Math.floor(s / b));
  let src = 0;
  let outTokens = 0;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < batches; k++) {
    const r = await translate(batchOf(k, b));
    src += r.src;
    outTokens += r.out;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ batch: b, sentences: batches * b, sourceTokens: src, outputTokens: outTokens,
    seconds, rss: process.memoryUsage().rss }) + '\n');
  console.error(`transformers.js ${name} ${dtype} batch ${b}: ${(outTokens / seconds).toFixed(1)} tokens/s`);
}
await model.dispose();
