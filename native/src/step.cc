// Forward, loss, backward and optimizer of a graph of layers in one call. Matrix products go to OpenBLAS sgemm;
// convolutions are im2col + sgemm; the rest are plain loops the compiler vectorizes. The arithmetic follows tfjs's
// kernels (same formulas, same float32 order in the optimizer) so a step matches tfjs's to rounding.
#include "step.h"

#include "norm.h"

#include <cblas.h>

#include "parallel.h"

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nnc {

namespace {

constexpr int kDescHeader = 10;
constexpr int kDescLayer = 18;  // then the node's inputs
constexpr float kClipEpsilon = 1e-7f;  // tfjs's backend epsilon() for float32, used by its crossentropy

uint64_t nextRandom(uint64_t s[2]) {  // xorshift128+
  uint64_t x = s[0];
  const uint64_t y = s[1];
  s[0] = y;
  x ^= x << 23;
  s[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
  return s[1] + y;
}

// Loops shorter than this stay on one thread: waking another costs more than it saves.
constexpr size_t kLoopGrain = 1 << 14;  // elements per chunk

/** Rows per chunk so that each chunk holds at least `grain` units of work when a row holds `perRow`. */
size_t rowGrain(size_t perRow, size_t grain) { return std::max<size_t>(1, grain / std::max<size_t>(1, perRow)); }

// A matrix product is never split: OpenBLAS rounds a block of rows or columns differently from the whole (its edge
// kernels sum in another order), which would make results depend on the thread count. Independent products run
// side by side instead (both(): a layer's weight gradient and its input gradient).
void sgemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
           float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              lda, b, ldb, beta, c, ldc);
}

constexpr size_t kGemmGrain = 1 << 17;  // multiply-adds of the smaller product worth a second thread

/** Runs two independent pieces of work, side by side on two threads when there are and `worth` it. */
template <typename A, typename B>
void both(bool worth, A&& first, B&& second) {
  parallelFor(2, worth ? 1 : 3, [&](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; i++) {
      if (i == 0) first();
      else second();
    }
  });
}

void addBiasActivate(float* out, const float* bias, int rows, int cols, int act) {
  parallelFor(static_cast<size_t>(rows), rowGrain(cols, kLoopGrain), [=](size_t r0, size_t r1) {
  for (size_t r = r0; r < r1; r++) {
    float* row = out + static_cast<size_t>(r) * cols;
    if (bias != nullptr)
      for (int c = 0; c < cols; c++) row[c] += bias[c];
    switch (act) {
      case RELU:
        for (int c = 0; c < cols; c++) row[c] = row[c] > 0 ? row[c] : 0;
        break;
      case SIGMOID:
        for (int c = 0; c < cols; c++) row[c] = 1.0f / (1.0f + std::exp(-row[c]));
        break;
      case TANH:
        for (int c = 0; c < cols; c++) row[c] = std::tanh(row[c]);
        break;
      case SOFTMAX: {
        float max = row[0];
        for (int c = 1; c < cols; c++) max = std::max(max, row[c]);
        float sum = 0;
        for (int c = 0; c < cols; c++) {
          row[c] = std::exp(row[c] - max);
          sum += row[c];
        }
        for (int c = 0; c < cols; c++) row[c] /= sum;
        break;
      }
      default:
        break;
    }
  }
  });
}

/** dA -> dZ in place, from the activation's output A. Softmax is handled with the loss. */
void activationBackward(float* grad, const float* a, size_t n, int act) {
  if (act != RELU && act != SIGMOID && act != TANH) return;
  parallelFor(n, kLoopGrain, [=](size_t i0, size_t i1) {
    switch (act) {
      case RELU:
        for (size_t i = i0; i < i1; i++) grad[i] = a[i] > 0 ? grad[i] : 0;
        break;
      case SIGMOID:
        for (size_t i = i0; i < i1; i++) grad[i] *= a[i] * (1.0f - a[i]);
        break;
      default:  // TANH
        for (size_t i = i0; i < i1; i++) grad[i] *= 1.0f - a[i] * a[i];
        break;
    }
  });
}

/** Sums over rows, split over columns: each column is summed in row order on any thread. */
void columnSums(const float* m, int rows, int cols, float* out) {
  parallelFor(static_cast<size_t>(cols), rowGrain(rows, kLoopGrain), [=](size_t c0, size_t c1) {
    std::fill(out + c0, out + c1, 0.0f);
    for (int r = 0; r < rows; r++) {
      const float* row = m + static_cast<size_t>(r) * cols;
      for (size_t c = c0; c < c1; c++) out[c] += row[c];
    }
  });
}

void im2col(const Layer& l, const float* x, int batch, float* col) {
  const int k = l.kh * l.kw * l.cin;
  parallelFor(static_cast<size_t>(batch), rowGrain(static_cast<size_t>(l.oh) * l.ow * k, kLoopGrain), [&](size_t b0, size_t b1) {
  for (int b = static_cast<int>(b0); b < static_cast<int>(b1); b++)
    for (int y = 0; y < l.oh; y++)
      for (int xo = 0; xo < l.ow; xo++) {
        float* row = col + (static_cast<size_t>(b * l.oh + y) * l.ow + xo) * k;
        for (int i = 0; i < l.kh; i++) {
          const int iy = y * l.sh - l.padTop + i;
          for (int j = 0; j < l.kw; j++) {
            const int ix = xo * l.sw - l.padLeft + j;
            float* dst = row + (i * l.kw + j) * l.cin;
            if (iy < 0 || iy >= l.h || ix < 0 || ix >= l.w) {
              std::fill(dst, dst + l.cin, 0.0f);
            } else {
              const float* src = x + (static_cast<size_t>(b * l.h + iy) * l.w + ix) * l.cin;
              std::copy(src, src + l.cin, dst);
            }
          }
        }
      }
  });
}

void col2im(const Layer& l, const float* col, int batch, float* dx) {
  const int k = l.kh * l.kw * l.cin;
  // Sample b's columns add into sample b's gradient only: split over samples.
  parallelFor(static_cast<size_t>(batch), rowGrain(static_cast<size_t>(l.oh) * l.ow * k, kLoopGrain), [&](size_t b0, size_t b1) {
  std::fill(dx + b0 * l.inSize, dx + b1 * l.inSize, 0.0f);
  for (int b = static_cast<int>(b0); b < static_cast<int>(b1); b++)
    for (int y = 0; y < l.oh; y++)
      for (int xo = 0; xo < l.ow; xo++) {
        const float* row = col + (static_cast<size_t>(b * l.oh + y) * l.ow + xo) * k;
        for (int i = 0; i < l.kh; i++) {
          const int iy = y * l.sh - l.padTop + i;
          if (iy < 0 || iy >= l.h) continue;
          for (int j = 0; j < l.kw; j++) {
            const int ix = xo * l.sw - l.padLeft + j;
            if (ix < 0 || ix >= l.w) continue;
            const float* src = row + (i * l.kw + j) * l.cin;
            float* dst = dx + (static_cast<size_t>(b * l.h + iy) * l.w + ix) * l.cin;
            for (int c = 0; c < l.cin; c++) dst[c] += src[c];
          }
        }
      }
  });
}

void maxPoolForward(Layer& l, const float* x, int batch) {
  float* out = l.out.data();
  int32_t* arg = l.argmax.data();
  parallelFor(static_cast<size_t>(batch), rowGrain(static_cast<size_t>(l.outSize) * l.kh * l.kw, kLoopGrain), [&](size_t b0, size_t b1) {
  for (int b = static_cast<int>(b0); b < static_cast<int>(b1); b++)
    for (int y = 0; y < l.oh; y++)
      for (int xo = 0; xo < l.ow; xo++)
        for (int c = 0; c < l.cin; c++) {
          float best = -INFINITY;
          int32_t where = -1;
          for (int i = 0; i < l.kh; i++) {
            const int iy = y * l.sh - l.padTop + i;
            if (iy < 0 || iy >= l.h) continue;
            for (int j = 0; j < l.kw; j++) {
              const int ix = xo * l.sw - l.padLeft + j;
              if (ix < 0 || ix >= l.w) continue;
              const int32_t at = ((b * l.h + iy) * l.w + ix) * l.cin + c;
              if (where < 0 || x[at] > best) { best = x[at]; where = at; }
            }
          }
          const size_t o = (static_cast<size_t>(b * l.oh + y) * l.ow + xo) * l.cin + c;
          out[o] = best;
          arg[o] = where;
        }
  });
}

/** MaxPoolGrad: each output's gradient goes to its argmax, which lies in the same sample: split over samples. */
void maxPoolBackward(const Layer& l, const float* grad, int batch, float* dx) {
  const int32_t* arg = l.argmax.data();
  parallelFor(static_cast<size_t>(batch), rowGrain(l.outSize, kLoopGrain), [&](size_t b0, size_t b1) {
    std::fill(dx + b0 * l.inSize, dx + b1 * l.inSize, 0.0f);
    for (size_t o = b0 * l.outSize; o < b1 * l.outSize; o++) dx[arg[o]] += grad[o];
  });
}

void ensureCapacity(Plan& plan, int batch) {
  if (batch <= plan.capacity) return;
  size_t widest = static_cast<size_t>(plan.inputSize);
  for (Layer& l : plan.layers) {
    const size_t outs = static_cast<size_t>(batch) * l.outSize;
    l.out.assign(outs, 0.0f);
    l.grad.assign(l.needsGrad ? outs : 0, 0.0f);
    if (l.kind == CONV2D) {
      l.col.assign(static_cast<size_t>(batch) * l.oh * l.ow * l.kh * l.kw * l.cin, 0.0f);
      l.colGrad.assign(l.col.size(), 0.0f);
    }
    if (l.kind == MAXPOOL2D) l.argmax.assign(outs, 0);
    if (l.kind == DROPOUT) l.mask.assign(outs, 0.0f);
    if (l.kind == BATCH_NORM) {
      l.col.assign(outs, 0.0f);
      l.mask.assign(static_cast<size_t>(l.cin), 0.0f);
    }
    widest = std::max(widest, static_cast<size_t>(std::max(l.inSize, l.outSize)));
  }
  plan.scratch.assign(static_cast<size_t>(batch) * widest, 0.0f);
  plan.capacity = batch;
}

const float* outputOf(const Plan& plan, const StepIo& io, int node) {
  return node < 0 ? io.x : plan.layers[node].out.data();
}

/** Runs the nodes in order; returns the output node's values (probabilities). */
const float* forward(Plan& plan, const StepIo& io, int batch, bool training) {
  ensureCapacity(plan, batch);
  size_t maskOffset = 0;
  for (Layer& l : plan.layers) {
    const float* in = outputOf(plan, io, l.inputs[0]);
    float* out = l.out.data();
    const size_t n = static_cast<size_t>(batch) * l.outSize;
    switch (l.kind) {
      case DENSE:
        sgemm(false, false, batch, l.cout, l.cin, in, l.cin, io.params[l.param], l.cout, 0.0f, out, l.cout);
        addBiasActivate(out, l.useBias ? io.params[l.param + 1] : nullptr, batch, l.cout, l.act);
        break;
      case CONV2D: {
        const int rows = batch * l.oh * l.ow, k = l.kh * l.kw * l.cin;
        im2col(l, in, batch, l.col.data());
        sgemm(false, false, rows, l.cout, k, l.col.data(), k, io.params[l.param], l.cout, 0.0f, out, l.cout);
        addBiasActivate(out, l.useBias ? io.params[l.param + 1] : nullptr, rows, l.cout, l.act);
        break;
      }
      case MAXPOOL2D:
        maxPoolForward(l, in, batch);
        break;
      case DROPOUT:
        if (!training || l.rate <= 0) {
          std::copy(in, in + n, out);
          break;
        }
        if (plan.fixedMasks) {
          std::copy(io.masks + maskOffset, io.masks + maskOffset + n, l.mask.data());
          maskOffset += n;
        } else {
          const float keep = 1.0f - l.rate;
          const float scale = 1.0f / keep;
          for (size_t i = 0; i < n; i++) {
            const float u = static_cast<float>(nextRandom(plan.rng) >> 40) * (1.0f / 16777216.0f);
            l.mask[i] = u >= l.rate ? scale : 0.0f;
          }
        }
        for (size_t i = 0; i < n; i++) out[i] = in[i] * l.mask[i];
        break;
      case ADD:
        std::copy(in, in + n, out);
        for (size_t j = 1; j < l.inputs.size(); j++) {
          const float* other = outputOf(plan, io, l.inputs[j]);
          for (size_t i = 0; i < n; i++) out[i] += other[i];
        }
        break;
      case BATCH_NORM: {
        const float* gamma = io.params[l.param];
        const float* beta = io.params[l.param + 1];
        if (training) batchNormTrainingForward(l, in, batch, gamma, beta, io.states[l.state], io.states[l.state + 1]);
        else batchNormInferenceForward(l, in, batch, gamma, beta, io.states[l.state], io.states[l.state + 1]);
        break;
      }
      case GLOBAL_AVG_POOL2D:
        globalAvgPoolForward(l, in, batch);
        break;
      case ACTIVATION:
        std::copy(in, in + n, out);
        addBiasActivate(out, nullptr, batch, l.outSize, l.act);
        break;
      default:  // FLATTEN
        std::copy(in, in + n, out);
        break;
    }
  }
  return plan.layers[plan.output].out.data();
}

float labelOf(const StepIo& io, int b) {
  return io.yInt32 ? static_cast<float>(static_cast<const int32_t*>(io.y)[b]) : static_cast<const float*>(io.y)[b];
}

/** Mean crossentropy and accuracy of `probs`; writes dLoss/dLogits of the softmax layer into `grad`. */
void lossAndGradient(const Plan& plan, const StepIo& io, const float* probs, int batch, float* grad, double* loss,
                     double* accuracy) {
  const int c = plan.classes;
  double lossSum = 0;
  int correct = 0;
  const float invBatch = 1.0f / static_cast<float>(batch);
  for (int b = 0; b < batch; b++) {
    const float* p = probs + static_cast<size_t>(b) * c;
    float* g = grad + static_cast<size_t>(b) * c;
    const int predicted = static_cast<int>(std::max_element(p, p + c) - p);
    if (plan.loss == SPARSE_CE) {
      const int label = static_cast<int>(std::floor(labelOf(io, b)));
      const float pl = (label >= 0 && label < c) ? std::min(std::max(p[label], kClipEpsilon), 1.0f - kClipEpsilon) : 1.0f;
      lossSum += -std::log(pl);
      correct += predicted == label;
      for (int k = 0; k < c; k++) g[k] = (p[k] - (k == label ? 1.0f : 0.0f)) * invBatch;
    } else {
      const float* y = static_cast<const float*>(io.y) + static_cast<size_t>(b) * c;
      float ySum = 0;
      double rowLoss = 0;
      for (int k = 0; k < c; k++) {
        ySum += y[k];
        rowLoss -= y[k] * std::log(std::min(std::max(p[k], kClipEpsilon), 1.0f - kClipEpsilon));
      }
      lossSum += rowLoss;
      correct += predicted == static_cast<int>(std::max_element(y, y + c) - y);
      for (int k = 0; k < c; k++) g[k] = (p[k] * ySum - y[k]) * invBatch;
    }
  }
  *loss = lossSum / batch;
  *accuracy = static_cast<double>(correct) / batch;
}

/**
 * Where a node's input gradient goes: straight into the input node's gradient when it is the first to reach it,
 * else into scratch, added by `settle` (a fork: the input feeds several nodes). Null when no gradient is needed.
 */
struct GradTarget {
  float* at = nullptr;
  float* sum = nullptr;  // set when `at` is scratch and the values must be added here
  size_t n = 0;
};

GradTarget gradTarget(Plan& plan, std::vector<char>& set, int node, int batch) {
  GradTarget t;
  if (node < 0 || !plan.layers[node].needsGrad) return t;
  Layer& in = plan.layers[node];
  t.n = static_cast<size_t>(batch) * in.outSize;
  if (!set[node]) {
    set[node] = 1;
    t.at = in.grad.data();
  } else {
    t.at = plan.scratch.data();
    t.sum = in.grad.data();
  }
  return t;
}

void settle(const GradTarget& t) {
  if (t.sum != nullptr) for (size_t i = 0; i < t.n; i++) t.sum[i] += t.at[i];
}

/** Backward pass from the output node's gradient (dLoss/dLogits, already in its grad); fills plan.grads. */
void backward(Plan& plan, const StepIo& io, int batch) {
  std::vector<char> set(plan.layers.size(), 0);
  set[plan.output] = 1;
  for (int i = static_cast<int>(plan.layers.size()) - 1; i >= 0; i--) {
    Layer& l = plan.layers[i];
    if (!l.needsGrad) continue;
    const size_t n = static_cast<size_t>(batch) * l.outSize;
    float* grad = l.grad.data();
    if (!set[i]) std::fill(grad, grad + n, 0.0f);  // reaches no output
    const float* in = outputOf(plan, io, l.inputs[0]);
    GradTarget t = l.kind == ADD ? GradTarget() : gradTarget(plan, set, l.inputs[0], batch);
    switch (l.kind) {
      case DENSE: {
        if (l.act != SOFTMAX) activationBackward(grad, l.out.data(), n, l.act);
        both(t.at != nullptr && static_cast<size_t>(batch) * l.cin * l.cout >= kGemmGrain, [&] {
          sgemm(true, false, l.cin, l.cout, batch, in, l.cin, grad, l.cout, 0.0f, plan.grads[l.param].data(), l.cout);
          if (l.useBias) columnSums(grad, batch, l.cout, plan.grads[l.param + 1].data());
        }, [&] {
          if (t.at) sgemm(false, true, batch, l.cin, l.cout, grad, l.cout, io.params[l.param], l.cout, 0.0f, t.at, l.cin);
        });
        break;
      }
      case CONV2D: {
        const int rows = batch * l.oh * l.ow, k = l.kh * l.kw * l.cin;
        activationBackward(grad, l.out.data(), n, l.act);
        // The column gradients get their own buffer, so that they are computed beside the weight gradient.
        both(t.at != nullptr && static_cast<size_t>(rows) * k * l.cout >= kGemmGrain, [&] {
          sgemm(true, false, k, l.cout, rows, l.col.data(), k, grad, l.cout, 0.0f, plan.grads[l.param].data(), l.cout);
          if (l.useBias) columnSums(grad, rows, l.cout, plan.grads[l.param + 1].data());
        }, [&] {
          if (t.at) sgemm(false, true, rows, k, l.cout, grad, l.cout, io.params[l.param], l.cout, 0.0f, l.colGrad.data(), k);
        });
        if (t.at) col2im(l, l.colGrad.data(), batch, t.at);
        break;
      }
      case MAXPOOL2D:
        if (t.at) maxPoolBackward(l, grad, batch, t.at);
        break;
      case DROPOUT:
        if (t.at) {
          if (l.rate <= 0) std::copy(grad, grad + n, t.at);
          else for (size_t o = 0; o < n; o++) t.at[o] = grad[o] * l.mask[o];
        }
        break;
      case ADD:
        for (int j : l.inputs) {
          GradTarget branch = gradTarget(plan, set, j, batch);
          if (!branch.at) continue;
          std::copy(grad, grad + n, branch.at);
          settle(branch);
        }
        break;
      case BATCH_NORM:
        batchNormBackward(l, batch, grad, io.params[l.param], plan.grads[l.param].data(), plan.grads[l.param + 1].data(), t.at);
        break;
      case GLOBAL_AVG_POOL2D:
        if (t.at) globalAvgPoolBackward(l, batch, grad, t.at);
        break;
      case ACTIVATION:
        if (t.at) {
          activationBackward(grad, l.out.data(), n, l.act);
          std::copy(grad, grad + n, t.at);
        }
        break;
      default:  // FLATTEN
        if (t.at) std::copy(grad, grad + n, t.at);
        break;
    }
    settle(t);
  }
}

void applyOptimizer(Plan& plan, const StepIo& io, float lr) {
  if (plan.optimizer == SGD) {
    for (size_t p = 0; p < plan.grads.size(); p++) {
      float* w = io.params[p];
      const float* g = plan.grads[p].data();
      for (int i = 0; i < plan.paramSizes[p]; i++) w[i] = w[i] - lr * g[i];
    }
    return;
  }
  // tfjs AdamOptimizer.applyGradients, float32 throughout (its scalars are float32 tensors).
  const float b1 = plan.beta1, b2 = plan.beta2;
  const float oneMinusB1 = static_cast<float>(1.0 - static_cast<double>(b1));
  const float oneMinusB2 = static_cast<float>(1.0 - static_cast<double>(b2));
  const float oneMinusAcc1 = 1.0f - *io.accBeta1;
  const float oneMinusAcc2 = 1.0f - *io.accBeta2;
  const float negLr = -lr, eps = plan.epsilon;
  // Reciprocals instead of two of tfjs's three divisions: differs from tfjs in the last bit at most.
  const float inv1 = 1.0f / oneMinusAcc1, inv2 = 1.0f / oneMinusAcc2;
  for (size_t p = 0; p < plan.grads.size(); p++) {
    float* ws = io.params[p];
    float* ms = io.m[p];
    float* vs = io.v[p];
    const float* gs = plan.grads[p].data();
    parallelFor(static_cast<size_t>(plan.paramSizes[p]), kLoopGrain, [=](size_t i0, size_t i1) {
    float* __restrict__ w = ws;
    float* __restrict__ m = ms;
    float* __restrict__ v = vs;
    const float* __restrict__ g = gs;
    for (size_t i = i0; i < i1; i++) {
      const float mi = m[i] * b1 + g[i] * oneMinusB1;
      const float vi = v[i] * b2 + (g[i] * g[i]) * oneMinusB2;
      m[i] = mi;
      v[i] = vi;
      w[i] = ((mi * inv1) / (std::sqrt(vi * inv2) + eps)) * negLr + w[i];
    }
    });
  }
  *io.accBeta1 = *io.accBeta1 * b1;
  *io.accBeta2 = *io.accBeta2 * b2;
}

int intAt(const double* d, size_t i) { return static_cast<int>(d[i]); }

}  // namespace

Plan makePlan(const double* d, size_t length) {
  if (length < kDescHeader || intAt(d, 0) != 2) throw std::string("unknown plan format");
  Plan plan;
  plan.inputSize = intAt(d, 1);
  plan.classes = intAt(d, 2);
  plan.loss = intAt(d, 3);
  plan.optimizer = intAt(d, 4);
  plan.beta1 = static_cast<float>(d[5]);
  plan.beta2 = static_cast<float>(d[6]);
  plan.epsilon = static_cast<float>(d[7]);
  const int count = intAt(d, 8);
  plan.output = intAt(d, 9);
  if (plan.loss != SPARSE_CE && plan.loss != CATEGORICAL_CE) throw std::string("unsupported loss");
  if (plan.optimizer != SGD && plan.optimizer != ADAM) throw std::string("unsupported optimizer");
  if (count < 1 || plan.output < 0 || plan.output >= count) throw std::string("the output node is not one of the nodes");
  size_t at = kDescHeader;
  for (int i = 0; i < count; i++) {
    if (at + kDescLayer > length) throw std::string("plan length does not match its node count");
    const double* f = d + at;
    Layer l;
    l.kind = intAt(f, 0); l.act = intAt(f, 1); l.useBias = f[2] != 0;
    l.h = intAt(f, 3); l.w = intAt(f, 4); l.cin = intAt(f, 5);
    l.oh = intAt(f, 6); l.ow = intAt(f, 7); l.cout = intAt(f, 8);
    l.kh = intAt(f, 9); l.kw = intAt(f, 10); l.sh = intAt(f, 11); l.sw = intAt(f, 12);
    l.padTop = intAt(f, 13); l.padLeft = intAt(f, 14); l.rate = static_cast<float>(f[15]);
    l.epsilon = static_cast<float>(f[16]);
    const int inputs = intAt(f, 17);
    at += kDescLayer;
    const std::string where = "node " + std::to_string(i) + ": ";
    if (inputs < 1 || at + inputs > length) throw where + "bad input count";
    for (int j = 0; j < inputs; j++) {
      const int from = intAt(d, at + j);
      if (from < -1 || from >= i) throw where + "an input is not an earlier node";
      l.inputs.push_back(from);
    }
    at += inputs;
    if (inputs > 1 && l.kind != ADD) throw where + "only add takes several inputs";
    std::vector<int> sizes;
    for (int from : l.inputs) sizes.push_back(from < 0 ? plan.inputSize : plan.layers[from].outSize);
    const int size = sizes[0];
    switch (l.kind) {
      case DENSE:
        l.inSize = l.cin; l.outSize = l.cout;
        break;
      case CONV2D:
        l.inSize = l.h * l.w * l.cin; l.outSize = l.oh * l.ow * l.cout;
        break;
      case MAXPOOL2D:
        l.inSize = l.h * l.w * l.cin; l.outSize = l.oh * l.ow * l.cin;
        break;
      case GLOBAL_AVG_POOL2D:
        l.inSize = l.h * l.w * l.cin; l.outSize = l.cin;
        break;
      case BATCH_NORM:
        if (l.cin <= 0 || size % l.cin != 0) throw where + "channels do not divide the input";
        l.inSize = l.outSize = size;
        break;
      case ADD:
        for (int s : sizes) if (s != size) throw where + "add of inputs of different sizes";
        l.inSize = l.outSize = size;
        break;
      case DROPOUT: case FLATTEN: case ACTIVATION:
        l.inSize = l.outSize = size;
        break;
      default:
        throw where + "unknown kind";
    }
    if (l.inSize != size || l.inSize <= 0 || l.outSize <= 0) throw where + "input size does not match its input node";
    if (l.act == SOFTMAX && (l.kind != DENSE || i != plan.output)) throw where + "softmax only as the output dense layer";
    if (l.kind == DENSE || l.kind == CONV2D) {
      l.param = static_cast<int>(plan.paramSizes.size());
      plan.paramSizes.push_back(l.kind == DENSE ? l.cin * l.cout : l.kh * l.kw * l.cin * l.cout);
      if (l.useBias) plan.paramSizes.push_back(l.cout);
    }
    if (l.kind == BATCH_NORM) {  // gamma, beta; moving mean, moving variance
      l.param = static_cast<int>(plan.paramSizes.size());
      plan.paramSizes.insert(plan.paramSizes.end(), {l.cin, l.cin});
      l.state = static_cast<int>(plan.stateSizes.size());
      plan.stateSizes.insert(plan.stateSizes.end(), {l.cin, l.cin});
    }
    l.needsGrad = l.param >= 0;
    for (int from : l.inputs) l.needsGrad = l.needsGrad || (from >= 0 && plan.layers[from].needsGrad);
    plan.layers.push_back(std::move(l));
  }
  if (at != length) throw std::string("plan length does not match its node count");
  const Layer& out = plan.layers[plan.output];
  if (out.kind != DENSE || out.act != SOFTMAX || out.cout != plan.classes) {
    throw std::string("the output must be a softmax dense layer with one unit per class");
  }
  for (int s : plan.paramSizes) plan.grads.emplace_back(static_cast<size_t>(s), 0.0f);
  return plan;
}

void seed(Plan& plan, uint64_t s) {
  plan.rng[0] = s ^ 0x9e3779b97f4a7c15ULL;
  plan.rng[1] = (s * 0xbf58476d1ce4e5b9ULL) ^ 0xd1b54a32d192ed03ULL;
  for (int i = 0; i < 8; i++) nextRandom(plan.rng);
}

void step(Plan& plan, const StepIo& io, int batch, float learningRate, double* lossOut, double* accuracyOut) {
#if defined(__SSE__)
  // Flush denormals to zero during the step: adam's first moments of weights whose gradient stays zero (e.g. the
  // always-black border pixels of an image) decay through the denormal range, where each operation is ~100x slower.
  const unsigned int csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040);  // FTZ | DAZ
#endif
  const float* probs = forward(plan, io, batch, true);
  lossAndGradient(plan, io, probs, batch, plan.layers[plan.output].grad.data(), lossOut, accuracyOut);
  backward(plan, io, batch);
  applyOptimizer(plan, io, learningRate);
#if defined(__SSE__)
  _mm_setcsr(csr);
#endif
}

void predict(Plan& plan, const StepIo& io, int batch, float* out) {
  const float* probs = forward(plan, io, batch, false);
  std::copy(probs, probs + static_cast<size_t>(batch) * plan.classes, out);
}

}  // namespace nnc
