"""Code written for TensorFlow.js elsewhere runs unchanged: local modules in the official examples'
style (ES modules importing '@tensorflow/tfjs' and each other without extensions, in a folder with
no node_modules), file:// models, tf.io.fileSystem, tf.data.csv, tfjs-node's tf.node, and snippets
written the way TensorFlow.js's docs write them."""
import json
import shutil
import struct
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "protocol"))
from kernel import execute, outputs, result_text, running_kernel  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "examples"


@pytest.fixture(scope="module")
def notebook_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("examples")
    shutil.copytree(FIXTURES, d, dirs_exist_ok=True)
    assert not (d / "node_modules").exists()
    return d


@pytest.fixture(scope="module")
def kc(notebook_dir):
    with running_kernel(cwd=notebook_dir) as (_, kc):
        yield kc


def run_ok(kc, code):
    reply, msgs = execute(kc, code)
    assert reply["content"]["status"] == "ok", (code, reply["content"].get("evalue"), [m["content"] for m in msgs if m["msg_type"] in ("error", "stream")])
    return msgs


def value(kc, code):
    text = result_text(run_ok(kc, code))
    assert text is not None, code
    return text


def test_local_modules_build_and_train_a_model_with_the_kernels_tf(kc):
    run_ok(kc, 'import { createModel, train, tfInstance, tfNodeInstance } from "./model";\nimport * as tfn from "@tensorflow/tfjs-node";')
    # One TensorFlow.js: the same functions, engine and backend from the cell, the module and tfjs-node.
    assert value(kc, "[tfn === tf, tfInstance.tensor === tf.tensor, tfNodeInstance.engine() === tf.engine(), tfInstance.getBackend() === tf.getBackend()]") == "[ true, true, true, true ]"
    before = int(value(kc, "tf.memory().numTensors"))
    assert value(kc, "const model = createModel();\nconst losses = await train(model);\nlosses[losses.length - 1] < losses[0] / 10") == "true"
    # The module's tensors are counted by the kernel's engine (one memory count): its weights and
    # adam's moments (2 and 4 variables, plus adam's 2 accumulated betas); its data were disposed.
    assert int(value(kc, "tf.memory().numTensors")) - before == 8
    # y = 2x - 1, with x scaled by 1/4 in the module: 0.5 is x = 2.
    assert value(kc, "Math.round(model.predict(tf.tensor2d([0.5], [1, 1])).dataSync()[0])") == "3"
    # CommonJS, as older tfjs-node tutorials write it, gets the same tf.
    assert value(kc, 'const legacy = require("./legacy.cjs");\nlegacy.tf === tf') == "true"


def test_file_urls_save_and_load_identical_predictions(kc, notebook_dir):
    run_ok(kc, "const seq = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'tanh' }), tf.layers.dense({ units: 2 })] });")
    run_ok(kc, "await seq.save('file://./saved/seq');")
    assert (notebook_dir / "saved/seq/model.json").exists() and (notebook_dir / "saved/seq/weights.bin").exists()
    run_ok(kc, "const seq2 = await tf.loadLayersModel('file://./saved/seq/model.json');\nconst probe = tf.tensor2d([[0.1, -2], [3, 0.5]]);")
    assert value(kc, "tf.equal(seq.predict(probe), seq2.predict(probe)).all().dataSync()[0]") == "1"
    # A functional model with two inputs, from a local module; saved to an absolute file:/// URL.
    absolute = (notebook_dir / "saved" / "two").as_uri()
    run_ok(kc, f'import {{ twoInputModel }} from "./two_inputs";\nconst two = twoInputModel();\nawait two.save("{absolute}");')
    run_ok(kc, f'const two2 = await tf.loadLayersModel("{absolute}/model.json");\nconst ins = [tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[4, 5]])];')
    assert value(kc, "tf.equal(two.predict(ins), two2.predict(ins)).all().dataSync()[0]") == "1"
    assert value(kc, "two2.inputs.length") == "2"


def test_io_file_system_and_csv_read_real_files(kc, notebook_dir):
    run_ok(kc, "await seq.save(tf.io.fileSystem('fs-model'));")
    saved = json.loads((notebook_dir / "fs-model/model.json").read_text())
    assert saved["weightsManifest"][0]["paths"] == ["./weights.bin"]
    assert (notebook_dir / "fs-model/weights.bin").stat().st_size == (2 * 3 + 3 + 3 * 2 + 2) * 4
    assert value(kc, "const fsModel = await tf.loadLayersModel(tf.io.fileSystem('fs-model/model.json'));\ntf.equal(fsModel.predict(probe), seq.predict(probe)).all().dataSync()[0]") == "1"
    rows = value(kc, "const rows = await tf.data.csv('file://./data.csv', { columnConfigs: { label: { isLabel: true } } }).toArray();\nJSON.stringify(rows)")
    assert "\"xs\":{\"x\":3,\"y\":4}" in rows and "\"ys\":{\"label\":1}" in rows


def test_png_and_jpeg_codecs(kc):
    for channels in (1, 3, 4):
        code = (
            f"const img{channels} = tf.tensor3d(Array.from({{ length: 5 * 7 * {channels} }}, (_, i) => (i * 37) % 256), [5, 7, {channels}], 'int32');\n"
            f"const png{channels} = await tf.node.encodePng(img{channels});\n"
            f"const back{channels} = tf.node.decodePng(png{channels});\n"
            f"[back{channels}.shape.join(), back{channels}.dtype, tf.equal(back{channels}, img{channels}).all().dataSync()[0], tf.node.decodeImage(png{channels}, {channels}).shape[2]]"
        )
        assert value(kc, code) == f"[ '5,7,{channels}', 'int32', 1, {channels} ]"
    # JPEG is lossy: a flat image comes back nearly the same.
    code = "const flat = tf.fill([8, 8, 3], 120, 'int32') as tf.Tensor3D;\nconst jpg = await tf.node.encodeJpeg(flat, 'rgb', 95);\nconst jb = tf.node.decodeImage(jpg, 3);\n[jb.shape.join(), tf.sub(jb, flat).abs().max().dataSync()[0] <= 2]"
    assert value(kc, code) == "[ '8,8,3', true ]"
    # From a local .mjs module that imports tfjs-node's named `node` export.
    assert value(kc, 'const { pngOfGrey } = await import("./images.mjs");\ntf.node.decodePng(await pngOfGrey(77)).dataSync().join()') == "'77,77,77,77'"
    reply, msgs = execute(kc, "tf.node.decodeImage(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))")
    assert reply["content"]["status"] == "error" and "PNG and JPEG" in reply["content"]["evalue"]


def masked_crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecords(raw: bytes):
    """Records of a TFRecord file, each checked against its masked CRC-32C."""
    pos = 0
    while pos < len(raw):
        (length,) = struct.unpack_from("<Q", raw, pos)
        (length_crc,) = struct.unpack_from("<I", raw, pos + 8)
        assert length_crc == masked_crc32c(raw[pos : pos + 8])
        data = raw[pos + 12 : pos + 12 + length]
        (data_crc,) = struct.unpack_from("<I", raw, pos + 12 + length)
        assert data_crc == masked_crc32c(data)
        yield data
        pos += 12 + length + 4
    assert pos == len(raw)


def protobuf_fields(data: bytes):
    """(field number, wire type, value) of a protocol buffer message."""
    pos = 0

    def varint():
        nonlocal pos
        shift = result = 0
        while True:
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    while pos < len(data):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            yield field, wire, varint()
        elif wire == 1:
            yield field, wire, struct.unpack_from("<d", data, pos)[0]
            pos += 8
        elif wire == 5:
            yield field, wire, struct.unpack_from("<f", data, pos)[0]
            pos += 4
        elif wire == 2:
            n = varint()
            yield field, wire, data[pos : pos + n]
            pos += n
        else:
            raise AssertionError(f"unexpected wire type {wire}")


def scalars(event_file: Path):
    """(step, tag, value) of every scalar in a TensorBoard event file; checks its first event."""
    records = list(tfrecords(event_file.read_bytes()))
    first = {f: v for f, _, v in protobuf_fields(records[0])}
    assert first[3] == b"brain.Event:2"
    out = []
    for record in records[1:]:
        event = list(protobuf_fields(record))
        step = next(v for f, _, v in event if f == 2) if any(f == 2 for f, _, _ in event) else 0
        for f, _, summary in event:
            if f != 5:
                continue
            for _, _, value in protobuf_fields(summary):
                fields = {vf: vv for vf, _, vv in protobuf_fields(value)}
                if 2 in fields:
                    out.append((step, fields[1].decode(), round(fields[2], 4)))
    return out


def test_tensorboard_event_files_are_readable(kc, notebook_dir):
    run_ok(kc, "const writer = tf.node.summaryFileWriter('./logs/manual');\nfor (let step = 1; step <= 3; step++) writer.scalar('loss', 1 / step, step);\nwriter.histogram('w', tf.randomNormal([100]), 3);\nwriter.flush();")
    [event_file] = list((notebook_dir / "logs/manual").glob("events.out.tfevents.*"))
    assert scalars(event_file) == [(1, "loss", 1.0), (2, "loss", 0.5), (3, "loss", 0.3333)]
    run_ok(kc, "await model.fit(tf.ones([4, 1]), tf.ones([4, 1]), { epochs: 2, validationSplit: 0.5, verbose: 0, callbacks: tf.node.tensorBoard('./logs/fit') });")
    [train] = list((notebook_dir / "logs/fit/train").glob("events.out.tfevents.*"))
    [val] = list((notebook_dir / "logs/fit/val").glob("events.out.tfevents.*"))
    assert [(s, t) for s, t, _ in scalars(train)] == [(1, "epoch_loss"), (2, "epoch_loss")]
    assert [(s, t) for s, t, _ in scalars(val)] == [(1, "epoch_loss"), (2, "epoch_loss")]


# Written the way TensorFlow.js's docs write them: no annotations, no casts.
DOC_SNIPPETS = [
    # Getting started.
    "const gs = tf.sequential();\ngs.add(tf.layers.dense({units: 1, inputShape: [1]}));\ngs.compile({loss: 'meanSquaredError', optimizer: 'sgd'});\nconst gxs = tf.tensor2d([1, 2, 3, 4], [4, 1]);\nconst gys = tf.tensor2d([1, 3, 5, 7], [4, 1]);\nawait gs.fit(gxs, gys, {epochs: 10});\ngs.predict(tf.tensor2d([5], [1, 1])).print();",
    # Layers guide: Sequential with layers in the constructor.
    "const lg = tf.sequential({\n layers: [\n   tf.layers.dense({inputShape: [784], units: 32, activation: 'relu'}),\n   tf.layers.dense({units: 10, activation: 'softmax'}),\n ]\n});\nlg.predict(tf.ones([2, 784])).print();",
    # Layers guide: functional model with apply chains.
    "const input = tf.input({shape: [784]});\nconst dense1 = tf.layers.dense({units: 32, activation: 'relu'}).apply(input);\nconst dense2 = tf.layers.dense({units: 10, activation: 'softmax'}).apply(dense1);\nconst fm = tf.model({inputs: input, outputs: dense2});\nfm.predict(tf.ones([2, 784])).print();",
    # Eager apply of a layer to a tensor.
    "const layer = tf.layers.dense({units: 2, inputShape: [3]});\nlayer.apply(tf.ones([1, 3])).print();",
    # Summary and shapes of a symbolic tensor.
    "const sym = tf.layers.dense({units: 4}).apply(tf.input({shape: [8]}));\nconsole.log(JSON.stringify(sym.shape));",
    # predictOnBatch.
    "fm.predictOnBatch(tf.ones([1, 784])).argMax(-1).print();",
    # Loading a saved model, then predict (the API reference's example).
    "await lg.save('file://./saved/lg');\nconst loaded = await tf.loadLayersModel('file://./saved/lg/model.json');\nloaded.predict(tf.ones([1, 784])).print();",
    # Tensors and operations.
    "const t = tf.tensor([1, 2, 3, 4]);\nt.square().sum().print();\ntf.tidy(() => t.mul(2)).print();",
    # Training loop with an optimizer.
    "const wv = tf.variable(tf.scalar(Math.random()));\nconst opt = tf.train.sgd(0.1);\nfor (let i = 0; i < 5; i++) opt.minimize(() => wv.sub(3).square().asScalar());\nwv.print();",
    # fit with callbacks and validation data.
    "const h = await gs.fit(gxs, gys, {epochs: 3, validationData: [gxs, gys], callbacks: {onEpochEnd: async (epoch, logs) => console.log(epoch, logs.loss.toFixed(2))}});\nh.history.loss.length;",
    # tf.data pipeline.
    "const ds = tf.data.array([1, 2, 3, 4]).map(x => x * 2).batch(2);\nawait ds.forEachAsync(b => b.print());",
    # tf.node with a tensor from decodeImage.
    "const pngBytes = await tf.node.encodePng(tf.ones([2, 2, 3], 'int32'));\nconst decoded = tf.node.decodeImage(pngBytes);\ndecoded.shape;",
]


@pytest.mark.parametrize("snippet", DOC_SNIPPETS, ids=[f"snippet{i}" for i in range(len(DOC_SNIPPETS))])
def test_docs_style_snippets_type_check_and_run(kc, snippet):
    run_ok(kc, snippet)


def test_wide_type_error_gets_a_one_line_fix(kc):
    code = "const ia = tf.input({shape: [2]});\nconst two_out = tf.model({inputs: ia, outputs: [tf.layers.dense({units: 1}).apply(ia) as tf.SymbolicTensor, tf.layers.dense({units: 1}).apply(ia) as tf.SymbolicTensor]});\ntwo_out.predict(tf.ones([1, 2])).print();"
    reply, _ = execute(kc, code)
    assert reply["content"]["status"] == "error"
    assert "Hint:" in reply["content"]["evalue"] and "as tf.Tensor" in reply["content"]["evalue"]


def test_missing_packages_say_how_to_install(kc):
    for code in ['import { x } from "not-installed-pkg/sub";', 'const m = await import("not-installed-pkg");', 'require("not-installed-pkg")']:
        reply, msgs = execute(kc, code)
        assert reply["content"]["status"] == "error", code
        evalue = reply["content"]["evalue"]
        assert "%install not-installed-pkg" in evalue.split("\n")[0], (code, evalue)
