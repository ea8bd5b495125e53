"""Checks of the exporter's int8 quantization on the committed tiny test bundle (run: /usr/bin/python3 -m unittest)."""
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402

TINY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "models", "tiny", "onnx")


def nodes(g):
    """every node of g and of its subgraphs"""
    for n in g.node:
        yield n
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                yield from nodes(a.g)


class QuantizeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def quantized(self, name, fp16=False):
        src = os.path.join(self.dir, name + ".onnx")
        shutil.copy(os.path.join(TINY, name + ".onnx"), src)
        if fp16:
            export.fp16_storage(src)
        out = os.path.join(self.dir, name + "_quantized.onnx")
        export.quantize(src, out)
        return onnx.load(src), onnx.load(out)

    def check_tied_projection(self, fp32, q8):
        inits = {i.name: i for i in fp32.graph.initializer}
        tied = [n for n in nodes(fp32.graph) if n.op_type == "Transpose" and n.name.endswith("tied_output_projection")]
        self.assertTrue(tied, "the tiny bundle ties its output projection to the embedding table")
        table_name = tied[0].input[0]
        if table_name not in inits:  # fp16 storage: the table is widened by a Cast
            cast = next(n for n in nodes(fp32.graph) if n.op_type == "Cast" and n.output[0] == table_name)
            table = numpy_helper.to_array(inits[cast.input[0]]).astype(np.float32)
        else:
            table = numpy_helper.to_array(inits[table_name])
        q_inits = {i.name: i for i in q8.graph.initializer}
        all_nodes = list(nodes(q8.graph))
        # no float MatMul reads a weight any more, the Transpose is gone, and an integer product reads the int8 copy
        self.assertFalse([n.name for n in all_nodes if n.op_type == "Transpose" and "tied_output_projection" in n.name])
        for n in all_nodes:
            if n.op_type == "MatMul":
                self.assertNotIn(n.input[1], q_inits, n.name)
        readers = [n for n in all_nodes if n.op_type == "MatMulInteger" and n.input[1] == table_name + "_T_q"]
        self.assertTrue(readers)
        q = numpy_helper.to_array(q_inits[table_name + "_T_q"]).astype(np.float32)
        scale = numpy_helper.to_array(q_inits[table_name + "_T_scale"])
        self.assertEqual(q.shape, table.T.shape)
        # symmetric per output column: each weight within half a step of its column's scale
        self.assertLessEqual(float(np.max(np.abs(q * scale - table.T) - scale / 2)), 1e-6)
        self.assertEqual(float(np.max(np.abs(q))), 127.0)
        # the table itself stays for the embedding's Gather
        gathers = [n for n in all_nodes if n.op_type == "Gather" and n.input[0] == table_name]
        self.assertTrue(gathers)
        onnx.checker.check_model(q8)

    def test_tied_output_projection_is_quantized(self):
        self.check_tied_projection(*self.quantized("decoder_with_past_model"))

    def test_merged_decoder_both_branches(self):
        fp32, q8 = self.quantized("decoder_model_merged")
        self.check_tied_projection(fp32, q8)
        names = {n.input[1] for n in nodes(q8.graph) if n.op_type == "MatMulInteger"}
        self.assertEqual(1, len([x for x in names if x.endswith("_T_q")]), "one int8 copy shared by both branches")

    def test_fp16_storage_weights(self):
        fp32, q8 = self.quantized("decoder_with_past_model", fp16=True)
        self.check_tied_projection(fp32, q8)
        # the Casts of the quantized weights have no reader and are gone with their fp16 initializers
        read = {i for n in nodes(q8.graph) for i in n.input}
        for n in nodes(q8.graph):
            if n.op_type == "Cast":
                self.assertIn(n.output[0], read, n.name)
        big_fp16 = [i.name for i in q8.graph.initializer if i.data_type == TensorProto.FLOAT16 and i.name not in read]
        self.assertFalse(big_fp16)


if __name__ == "__main__":
    unittest.main()
