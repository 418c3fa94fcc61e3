// Batch normalization (training and inference, channels last) and global average pooling, as tfjs computes them:
// BatchNormalization in training normalizes with the batch's moments (biased variance, tf.moments) and moves its
// moving statistics by `moving - (moving - batch) * (1 - momentum)`; the gradient flows through the batch moments.
#include "norm.h"

#include <cmath>

namespace nnc {

namespace {
int channelRows(const Layer& l, int batch) { return batch * (l.inSize / l.cin); }
}  // namespace

void batchNormTrainingForward(Layer& l, const float* x, int batch, const float* gamma, const float* beta,
                              float* movingMean, float* movingVariance) {
  const int c = l.cin, rows = channelRows(l, batch);
  std::vector<double> mean(c, 0.0), var(c, 0.0);
  for (int r = 0; r < rows; r++) {
    const float* row = x + static_cast<size_t>(r) * c;
    for (int k = 0; k < c; k++) mean[k] += row[k];
  }
  for (int k = 0; k < c; k++) mean[k] /= rows;
  for (int r = 0; r < rows; r++) {
    const float* row = x + static_cast<size_t>(r) * c;
    for (int k = 0; k < c; k++) {
      const double d = row[k] - mean[k];
      var[k] += d * d;
    }
  }
  float* invStd = l.mask.data();
  std::vector<float> meanF(c);
  // tfjs: decay = 1 - momentum as a float32 scalar; delta = (moving - value) * decay; moving = moving - delta.
  const float decay = static_cast<float>(1.0 - static_cast<double>(l.rate));
  for (int k = 0; k < c; k++) {
    meanF[k] = static_cast<float>(mean[k]);
    const float variance = static_cast<float>(var[k] / rows);
    invStd[k] = 1.0f / std::sqrt(variance + l.epsilon);
    movingMean[k] = movingMean[k] - (movingMean[k] - meanF[k]) * decay;
    movingVariance[k] = movingVariance[k] - (movingVariance[k] - variance) * decay;
  }
  float* xhat = l.col.data();
  float* out = l.out.data();
  for (int r = 0; r < rows; r++) {
    const size_t o = static_cast<size_t>(r) * c;
    for (int k = 0; k < c; k++) {
      const float h = (x[o + k] - meanF[k]) * invStd[k];
      xhat[o + k] = h;
      out[o + k] = h * gamma[k] + beta[k];
    }
  }
}

void batchNormInferenceForward(Layer& l, const float* x, int batch, const float* gamma, const float* beta,
                               const float* movingMean, const float* movingVariance) {
  const int c = l.cin, rows = channelRows(l, batch);
  std::vector<float> scale(c);
  for (int k = 0; k < c; k++) scale[k] = gamma[k] / std::sqrt(movingVariance[k] + l.epsilon);
  float* out = l.out.data();
  for (int r = 0; r < rows; r++) {
    const size_t o = static_cast<size_t>(r) * c;
    for (int k = 0; k < c; k++) out[o + k] = (x[o + k] - movingMean[k]) * scale[k] + beta[k];
  }
}

void batchNormBackward(const Layer& l, int batch, const float* grad, const float* gamma, float* dGamma, float* dBeta,
                       float* dx) {
  const int c = l.cin, rows = channelRows(l, batch);
  const float* xhat = l.col.data();
  std::vector<double> sumDy(c, 0.0), sumDyXhat(c, 0.0);
  for (int r = 0; r < rows; r++) {
    const size_t o = static_cast<size_t>(r) * c;
    for (int k = 0; k < c; k++) {
      sumDy[k] += grad[o + k];
      sumDyXhat[k] += grad[o + k] * xhat[o + k];
    }
  }
  for (int k = 0; k < c; k++) {
    dGamma[k] = static_cast<float>(sumDyXhat[k]);
    dBeta[k] = static_cast<float>(sumDy[k]);
  }
  if (dx == nullptr) return;
  // dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat * mean(dy * xhat))
  std::vector<float> scale(c), meanDy(c), meanDyXhat(c);
  for (int k = 0; k < c; k++) {
    scale[k] = gamma[k] * l.mask[k];
    meanDy[k] = static_cast<float>(sumDy[k] / rows);
    meanDyXhat[k] = static_cast<float>(sumDyXhat[k] / rows);
  }
  for (int r = 0; r < rows; r++) {
    const size_t o = static_cast<size_t>(r) * c;
    for (int k = 0; k < c; k++) dx[o + k] = scale[k] * (grad[o + k] - meanDy[k] - xhat[o + k] * meanDyXhat[k]);
  }
}

void globalAvgPoolForward(Layer& l, const float* x, int batch) {
  const int c = l.cin, area = l.h * l.w;
  const float inv = 1.0f / static_cast<float>(area);
  for (int b = 0; b < batch; b++) {
    float* o = l.out.data() + static_cast<size_t>(b) * c;
    std::vector<double> sum(c, 0.0);
    for (int p = 0; p < area; p++) {
      const float* row = x + (static_cast<size_t>(b) * area + p) * c;
      for (int k = 0; k < c; k++) sum[k] += row[k];
    }
    for (int k = 0; k < c; k++) o[k] = static_cast<float>(sum[k]) * inv;
  }
}

void globalAvgPoolBackward(const Layer& l, int batch, const float* grad, float* dx) {
  const int c = l.cin, area = l.h * l.w;
  const float inv = 1.0f / static_cast<float>(area);
  for (int b = 0; b < batch; b++) {
    const float* g = grad + static_cast<size_t>(b) * c;
    for (int p = 0; p < area; p++) {
      float* row = dx + (static_cast<size_t>(b) * area + p) * c;
      for (int k = 0; k < c; k++) row[k] = g[k] * inv;
    }
  }
}

}  // namespace nnc
