// Times ONNX Runtime (onnxruntime-node, CPU EP) on a model with any number of
// inputs, given as NAME=FILE.npy (the kit's ort_run.js feeds one input).
//   node ort_bench.js MODEL NAME=X.npy ... [--threads N] [--iters K] [--warmup W]
// Prints {"median_ms": ...} as JSON. The npy reader and onnxruntime-node
// are the ones installed beside this file by bench/run_real.sh.
'use strict';
const path = require('path');
const ort = require(process.env.ORT_NODE_MODULE ||
                    path.join(__dirname, 'node_modules', 'onnxruntime-node'));
const { readNpy } = require(path.join(__dirname, 'npy.js'));

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : def;
}

(async () => {
  const args = process.argv.slice(2);
  const model = args[0];
  const feeds = {};
  for (const a of args.slice(1)) {
    if (a.startsWith('--') || !a.includes('=')) continue;
    const [name, file] = a.split('=');
    const x = readNpy(file);
    feeds[name] = new ort.Tensor(x.type, x.data, x.shape);
  }
  const threads = Number(arg('threads', 1));
  const s = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential' });
  const iters = Number(arg('iters', 30)), warm = Number(arg('warmup', 5));
  for (let i = 0; i < warm; i++) await s.run(feeds);
  const times = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    await s.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ model: path.basename(model), threads, iters,
    median_ms: +times[Math.floor(times.length / 2)].toFixed(4),
    min_ms: +times[0].toFixed(4) }));
})().catch(e => { console.error(e.message || e); process.exit(1); });
