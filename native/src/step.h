// The whole training step of a supported model: forward, loss, backward and optimizer update, on float32 buffers
// the caller owns (tfjs's own weight, optimizer-slot and moving-statistics tensors). The model is a directed acyclic
// graph of nodes in topological order, each reading the outputs of earlier nodes (a chain is a graph whose nodes each
// read the previous one). Layouts follow tfjs: NHWC activations, dense kernels [in, out], conv kernels
// [kh, kw, cin, cout].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nnc {

enum LayerKind {
  DENSE = 1, CONV2D = 2, MAXPOOL2D = 3, DROPOUT = 4, FLATTEN = 5, ADD = 6, BATCH_NORM = 7, GLOBAL_AVG_POOL2D = 8,
  ACTIVATION = 9
};
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
  float rate = 0;                       // dropout: rate; batch_norm: momentum
  float epsilon = 0;                    // batch_norm
  std::vector<int> inputs;              // earlier nodes read (-1: the model's input)
  int param = -1;                       // index of the kernel (batch_norm: gamma) among the parameters; bias (beta) is param + 1
  int state = -1;                       // batch_norm: index of the moving mean among the states; moving variance is state + 1
  bool needsGrad = false;               // some parameter lies at or before this node: its output gradient is needed
  std::vector<float> out, grad, col, colGrad, mask;  // batch_norm: col holds the normalized input, mask the 1/sqrt(var + eps)
  std::vector<int32_t> argmax;
};

struct Plan {
  std::vector<Layer> layers;
  int inputSize = 0, classes = 0, loss = SPARSE_CE, optimizer = ADAM, output = -1;
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;
  std::vector<int> paramSizes, stateSizes;
  std::vector<std::vector<float>> grads;
  std::vector<float> scratch;           // an input gradient computed here, then added where one is already set
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
  std::vector<float*> params, m, v, states;
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
