{
  "targets": [{
    "target_name": "nnc_native",
    "sources": ["src/addon.cc", "src/step.cc", "src/parallel.cc", "src/norm.cc"],
    "include_dirs": ["<!(node find-openblas.cjs include)"],
    "cflags_cc!": ["-fno-exceptions"],
    "cflags_cc": ["-O3", "-march=native", "-fno-math-errno", "-std=c++17", "-pthread"],
    "libraries": ["<!(node find-openblas.cjs lib)", "-lpthread", "-lm"],
    "ldflags": ["-Wl,--exclude-libs,ALL", "-static-libstdc++", "-static-libgcc"]
  }]
}
