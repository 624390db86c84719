#!/usr/bin/python3
"""Checks ONNX model files with onnx's own checker (full_check: also runs shape inference).

Usage: /usr/bin/python3 tools/onnx_check.py MODEL.onnx [MODEL2.onnx ...]
Prints "OK <path> (ir_version, opsets)" per valid model, or "FAIL <path>: <error>".
Exit codes: 0 all valid, 1 a model is invalid, 2 usage error, 3 the onnx package is missing.
"""
import sys


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        import onnx
    except ImportError as e:
        print(f"FAIL: the Python package 'onnx' is not installed for {sys.executable} ({e}). "
              "Run `bash scripts/setup.sh` (installs python3-onnx).", file=sys.stderr)
        return 3

    failed = 0
    for path in argv[1:]:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # the checker raises several exception types; report them all the same way
            print(f"FAIL {path}: {type(e).__name__}: {e}")
            failed += 1
            continue
        opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
        print(f"OK {path} (onnx {onnx.__version__}, ir_version {model.ir_version}, opset {opsets})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
