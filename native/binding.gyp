# Builds the Glassbox native TensorFlow.js backend addon on libtorch (ATen).
# Run through scripts/build-native.mjs, which finds the libtorch (scripts/libtorch.mjs) and passes it
# in GLASSBOX_TORCH_* variables; run directly, node-gyp builds on Debian's libtorch-dev.
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
        "src/optimizers.cc",
        "src/rnn.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node -p \"process.env.GLASSBOX_TORCH_INCLUDES || '/usr/include /usr/include/torch/csrc/api/include'\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "<!@(node -p \"process.env.GLASSBOX_TORCH_DEFINES || '_GLIBCXX_USE_CXX11_ABI=1'\")"],
      # ATen needs exceptions and RTTI, which node-gyp turns off by default; -fno-math-errno lets the
      # compiler vectorise sqrt in the fused optimizer loop.
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-fno-math-errno", "-Wno-unused-parameter"],
      # -L and the rpath name the libtorch's own folder; --no-as-needed keeps libtorch_cuda and c10_cuda
      # (which register CUDA with ATen when loaded, but which the addon never calls by name) linked.
      "ldflags": ["<!@(node -p \"process.env.GLASSBOX_TORCH_LDFLAGS || ''\")"],
      "libraries": ["<!@(node -p \"process.env.GLASSBOX_TORCH_LIBS || '-ltorch_cpu -lc10'\")"]
    }
  ]
}
