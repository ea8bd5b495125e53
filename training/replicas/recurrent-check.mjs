// Checks the recurrent bundle through its manifest alone with ONNX Runtime (onnxruntime-node): greedy decoding from
// manifest.json's names and indexes, compared with the PyTorch reference (recurrent.reference/greedy.jsonl):
// same tokens, sum of log-probabilities within 1e-4.
// usage: node recurrent-check.mjs BUNDLE_DIR GREEDY_JSONL   (TJS_NODE_MODULES as in tjs-greedy.mjs)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [bundle, goldenFile] = process.argv.slice(2);
const modules = process.env.TJS_NODE_MODULES || path.join(here, '..', '..', 'testdata', 'node', 'node_modules');
const ort = createRequire(path.join(modules, 'x.js'))('onnxruntime-node');

const m = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
const enc = await ort.InferenceSession.create(path.join(bundle, m.encoder.file));
const dec = await ort.InferenceSession.create(path.join(bundle, m.decoder.file));
const srcIndex = new Map(m.source.characters.map((ch, i) => [ch, i + m.source.first_index]));
const golden = readFileSync(goldenFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
let ok = 0;
for (const g of golden) {
  const ids = Array.from(g.text, (ch) => srcIndex.get(ch) ?? m.source.unknown_index);
  const e = await enc.run({ [m.encoder.inputs.ids]: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]) });
  let h = e[m.encoder.outputs.state_h], c = e[m.encoder.outputs.state_c];
  let tok = m.target.start_index, len = 1, sum = 0;
  const out = [];
  while (len < m.max_length) {
    const r = await dec.run({ [m.decoder.inputs.ids]: new ort.Tensor('int64', BigInt64Array.from([BigInt(tok)]), [1, 1]),
      [m.decoder.inputs.state_h]: h, [m.decoder.inputs.state_c]: c });
    const p = r[m.decoder.outputs.scores].data;
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    sum += Math.log(p[best]);
    h = r[m.decoder.outputs.state_h]; c = r[m.decoder.outputs.state_c];
    tok = best; out.push(best); len++;
    if (best === m.target.stop_index) break;
  }
  const same = JSON.stringify(out) === JSON.stringify(g.tokens) && Math.abs(sum - g.sum_logprobs) < 1e-4;
  ok += same;
  if (!same) console.log('MISMATCH', JSON.stringify(g.text), out.length, g.tokens.length, sum, g.sum_logprobs);
}
console.log(`recurrent: ONNX Runtime greedy via manifest equal to the PyTorch reference ${ok}/${golden.length}`);
