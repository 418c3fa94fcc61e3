// The whole training step of a supported Sequential model: forward, loss, backward and optimizer update, on
// float32 buffers the caller owns (tfjs's own weight and optimizer-slot tensors). Layouts follow tfjs: NHWC
// activations, dense kernels [in, out], conv kernels [kh, kw, cin, cout].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nnc {

enum LayerKind { DENSE = 1, CONV2D = 2, MAXPOOL2D = 3, DROPOUT = 4, FLATTEN = 5 };
enum Activation { LINEAR = 0, RELU = 1, SIGMOID = 2, TANH = 3, SOFTMAX = 4 };
enum Loss { SPARSE_CE = 1, CATEGORICAL_CE = 2 };
enum Optimizer { SGD = 1, ADAM = 2 };

struct Layer {
  int kind = 0, act = LINEAR;
  bool useBias = false;
  int inSize = 0, outSize = 0;          // per sample
  int h = 0, w = 0, cin = 0;            // input (conv, pool); dense: cin = inputs
  int oh = 0, ow = 0, cout = 0;         // output (conv, pool); dense: cout = units
  int kh = 1, kw = 1, sh = 1, sw = 1, padTop = 0, padLeft = 0;
  float rate = 0;                       // dropout
  int param = -1;                       // index of the kernel among the parameters; bias is param + 1
  std::vector<float> out, col, colGrad, mask;
  std::vector<int32_t> argmax;
};

struct Plan {
  std::vector<Layer> layers;
  int inputSize = 0, classes = 0, loss = SPARSE_CE, optimizer = ADAM;
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;
  std::vector<int> paramSizes;
  std::vector<std::vector<float>> grads;
  std::vector<float> gradA, gradB;      // ping-pong buffers for the gradient flowing backwards
  int capacity = 0;                     // batch size the buffers are sized for
  uint64_t rng[2] = {0x9e3779b97f4a7c15ULL, 0xd1b54a32d192ed03ULL};
  bool fixedMasks = false;              // tests: masks supplied by the caller instead of drawn
};

/** Pointers into caller memory for one step. params[i] (and slots m[i], v[i] for adam). */
struct StepIo {
  const float* x = nullptr;
  const void* y = nullptr;
  bool yInt32 = false;
  float* accBeta1 = nullptr;
  float* accBeta2 = nullptr;
  std::vector<float*> params, m, v;
  const float* masks = nullptr;         // fixedMasks: the concatenated dropout multipliers of this step
};

/** Builds a plan from the numeric description written by the runtime (see native.ts); throws std::string. */
Plan makePlan(const double* desc, size_t length);
/** One step on `batch` samples. Returns {mean loss, accuracy}. */
void step(Plan& plan, const StepIo& io, int batch, float learningRate, double* lossOut, double* accuracyOut);
/** Forward pass only (training=false): writes probabilities [batch, classes] to `out`. */
void predict(Plan& plan, const StepIo& io, int batch, float* out);
void seed(Plan& plan, uint64_t seed);

}  // namespace nnc
