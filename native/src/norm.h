// Batch normalization over the last axis and global average pooling (see norm.cc).
#pragma once
#include "step.h"

namespace nnc {

/** Normalizes with the batch's moments; keeps the normalized input (l.col) and 1/sqrt(var + eps) (l.mask); moves the moving statistics. */
void batchNormTrainingForward(Layer& l, const float* x, int batch, const float* gamma, const float* beta,
                              float* movingMean, float* movingVariance);
/** Normalizes with the moving statistics (training = false). */
void batchNormInferenceForward(Layer& l, const float* x, int batch, const float* gamma, const float* beta,
                               const float* movingMean, const float* movingVariance);
/** Gradients of gamma and beta, and of the input (through the batch moments) when dx is not null. */
void batchNormBackward(const Layer& l, int batch, const float* grad, const float* gamma, float* dGamma, float* dBeta,
                       float* dx);
void globalAvgPoolForward(Layer& l, const float* x, int batch);
void globalAvgPoolBackward(const Layer& l, int batch, const float* grad, float* dx);

}  // namespace nnc
