#!/usr/bin/env node
// Runs an ONNX model in ONNX Runtime (onnxruntime-node) on a float32 NPY matrix and writes one output as NPY.
//
//   node tools/ort/run.mjs MODEL.onnx INPUT.npy OUTPUT.npy [--output NAME] [--threads K]
//
// INPUT.npy: little-endian float32 ('<f4'; '<f8' is converted), C order, any rank (normally [N, D]). It is fed to the
// model's single input. OUTPUT.npy receives the first output (or the one named by --output) as float32 '<f4' with
// the output's shape (integer and double outputs are converted to float32).
// Exit codes: 0 ok, 1 model/run error, 2 usage or bad NPY file, 3 onnxruntime-node missing.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

function fail(code, message) {
  process.stderr.write(`run.mjs: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const pos = [];
  const opt = { output: null, threads: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--output' || a === '--threads') {
      if (i + 1 >= argv.length) fail(2, `${a} needs a value`);
      opt[a.slice(2)] = argv[++i];
    } else if (a.startsWith('--')) {
      fail(2, `unknown option ${a}`);
    } else {
      pos.push(a);
    }
  }
  if (pos.length !== 3) fail(2, 'usage: node tools/ort/run.mjs MODEL.onnx INPUT.npy OUTPUT.npy [--output NAME] [--threads K]');
  opt.threads = Number(opt.threads);
  if (!Number.isInteger(opt.threads) || opt.threads < 0) fail(2, '--threads must be a non-negative integer');
  return { model: pos[0], input: pos[1], outPath: pos[2], ...opt };
}

// Minimal NPY (versions 1-3) reader for C-order '<f4' / '<f8' arrays.
function readNpy(path) {
  let buf;
  try { buf = readFileSync(path); } catch (e) { fail(2, `cannot read ${path}: ${e.message}`); }
  const magic = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
  if (buf.length < 10 || !buf.subarray(0, 6).equals(magic)) fail(2, `${path} is not an NPY file (bad magic)`);
  const major = buf[6];
  let headerLen, start;
  if (major === 1) { headerLen = buf.readUInt16LE(8); start = 10; }
  else if (major === 2 || major === 3) {
    if (buf.length < 12) fail(2, `${path}: truncated NPY header`);
    headerLen = buf.readUInt32LE(8); start = 12;
  } else fail(2, `${path}: unsupported NPY version ${major}`);
  if (start + headerLen > buf.length) fail(2, `${path}: truncated NPY header`);
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeM) fail(2, `${path}: cannot parse NPY header ${JSON.stringify(header)}`);
  if (fortran[1] !== 'False') fail(2, `${path}: Fortran-order arrays are not supported`);
  const shape = shapeM[1].split(',').map(s => s.trim()).filter(s => s.length > 0).map(Number);
  if (shape.some(d => !Number.isInteger(d) || d < 0)) fail(2, `${path}: bad shape (${shapeM[1]})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = buf.subarray(start + headerLen);
  let values;
  if (descr[1] === '<f4') {
    if (data.length !== count * 4) fail(2, `${path}: shape (${shape}) needs ${count * 4} data bytes, the file has ${data.length}`);
    values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = data.readFloatLE(i * 4);
  } else if (descr[1] === '<f8') {
    if (data.length !== count * 8) fail(2, `${path}: shape (${shape}) needs ${count * 8} data bytes, the file has ${data.length}`);
    values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = data.readDoubleLE(i * 8);
  } else fail(2, `${path}: dtype '${descr[1]}' is not supported (expected '<f4' or '<f8')`);
  return { shape, values };
}

// NPY version 1.0 writer: float32 '<f4', C order; written to a temporary file, then renamed.
function writeNpy(path, shape, values) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + values.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  let o = 10 + header.length;
  for (let i = 0; i < values.length; i++, o += 4) out.writeFloatLE(Number(values[i]), o);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, path);
}

const args = parseArgs(process.argv.slice(2));
let ort;
try {
  const mod = await import('onnxruntime-node');
  ort = mod.default ?? mod;
} catch (e) {
  fail(3, `onnxruntime-node is not installed (${e.message}). Run \`bash scripts/setup.sh\` (installs it into tools/ort/node_modules).`);
}

const input = readNpy(args.input);
try {
  const options = { graphOptimizationLevel: 'all' };
  if (args.threads > 0) { options.intraOpNumThreads = args.threads; options.interOpNumThreads = 1; }
  const session = await ort.InferenceSession.create(args.model, options);
  if (session.inputNames.length !== 1) fail(1, `${args.model} has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); expected exactly 1`);
  const outName = args.output ?? session.outputNames[0];
  if (!session.outputNames.includes(outName)) fail(1, `${args.model} has no output '${outName}' (outputs: ${session.outputNames.join(', ')})`);
  const t0 = process.hrtime.bigint();
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input.values, input.shape) }, [outName]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const out = result[outName];
  writeNpy(args.outPath, out.dims, out.data);
  process.stdout.write(`ran ${args.model}: input '${session.inputNames[0]}' [${input.shape}] -> output '${outName}' [${out.dims}] ${out.type} in ${ms.toFixed(1)} ms\n`);
} catch (e) {
  fail(1, `${args.model}: ${e.message}`);
}
