# Builds the Glassbox native TensorFlow.js backend addon: tensors held in libtorch (CPU, or CUDA when the
# linked libtorch has it).
# Run through scripts/build-native.mjs, which skips cleanly when the headers are absent.
{
  "targets": [
    {
      "target_name": "glassbox_native",
      "sources": [
        "src/addon.cc",
        "src/tensors.cc",
        "src/shape.cc",
        "src/reduce.cc",
        "src/conv.cc",
        "src/pool.cc",
        "src/matmul.cc",
        "src/elementwise.cc",
        "src/optimizers.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      # ATen needs exceptions and RTTI, which node-gyp turns off by default; -fno-math-errno lets the
      # compiler vectorise sqrt in the fused optimizer loop.
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-fno-math-errno", "-Wno-unused-parameter"],
      "libraries": ["-ltorch_cpu", "-lc10"]
    }
  ]
}
