#!/usr/bin/env python3
"""Encoder latency: xfmr against PyTorch and ONNX Runtime, in one run.

Builds a random-weight BertModel of the given size, compiles it with xfmrc,
times `xfmr-run --bench` and the same forward pass in PyTorch (eager,
no_grad) and, when installed, ONNX Runtime (all graph optimisations), each on
one thread, and prints the medians and the ratios. Needs torch and
transformers (and optionally onnxruntime): run it with the fixtures venv.

usage: .venv-fixtures/bin/python bench/encoder/bench.py [--layers 4] [--d-model 256]
       [--heads 4] [--ffn 1024] [--seq 128] [--batch 1] [--repeat 20]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def median_ms(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--d-model", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--ffn", type=int, default=1024)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()

    os.environ["OMP_NUM_THREADS"] = "1"
    import torch
    from transformers import BertConfig, BertModel

    torch.set_num_threads(1)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=1000, hidden_size=args.d_model,
                        num_hidden_layers=args.layers, num_attention_heads=args.heads,
                        intermediate_size=args.ffn, max_position_embeddings=max(512, args.seq),
                        attn_implementation="eager")
    model = BertModel(config, add_pooling_layer=False).eval()
    ids = torch.randint(1, 1000, (args.batch, args.seq))

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = os.path.join(tmp, "bert")
        model.save_pretrained(checkpoint)
        library = os.path.join(tmp, "bert.so")
        subprocess.run([os.path.join(args.build, "bin", "xfmrc"), checkpoint, "-o", library],
                       check=True)
        out = subprocess.run([os.path.join(args.build, "bin", "xfmr-run"), library, "--bench",
                              "--batch", str(args.batch), "--seq", str(args.seq),
                              "--repeat", str(args.repeat)],
                             check=True, capture_output=True, text=True).stdout
        results["xfmr"] = float(re.search(r"median latency: ([0-9.]+) ms", out).group(1))

        with torch.no_grad():
            results["PyTorch"] = median_ms(lambda: model(input_ids=ids), args.repeat)

        try:
            import onnxruntime
        except ImportError:
            onnxruntime = None
        if onnxruntime is not None:
            onnx_path = os.path.join(tmp, "bert.onnx")

            class LastHiddenState(torch.nn.Module):
                """The traced graph takes ids only, as xfmr's does."""

                def __init__(self, inner):
                    super().__init__()
                    self.inner = inner

                def forward(self, input_ids):
                    return self.inner(input_ids=input_ids).last_hidden_state

            torch.onnx.export(LastHiddenState(model), (ids,), onnx_path,
                              input_names=["input_ids"], dynamo=False)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            session = onnxruntime.InferenceSession(onnx_path, options,
                                                   providers=["CPUExecutionProvider"])
            feed = {"input_ids": ids.numpy()}
            results["ONNX Runtime"] = median_ms(lambda: session.run(None, feed), args.repeat)

    print(f"BERT encoder: {args.layers} layers, d_model {args.d_model}, {args.heads} heads, "
          f"ffn {args.ffn}; batch {args.batch}, seq {args.seq}; one thread; "
          f"median of {args.repeat}")
    for name, ms in results.items():
        ratio = ms / results["xfmr"]
        print(f"  {name:13s} {ms:9.3f} ms   {ratio:5.2f}x xfmr's time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
