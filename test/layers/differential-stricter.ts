// Rejections where nnc is deliberately stricter than tfjs, shared by the differential tests (chains and graphs).
/**
 * Rejections where nnc is deliberately stricter than tfjs, which builds the layer but then computes something
 * no one means: an axis of length 0 (tfjs builds a tensor with no elements and a loss of NaN).
 */
export const STRICTER: Record<string, string> = {
  NN3041: 'cropping that leaves an axis of length 0',
  // tfjs casts float inputs to int32 ids without a word: a dense output of 0.7 looks up row 0
  NN3007: 'an embedding of float32 values',
  // tfjs runs these forward, and throws in a training step through them (compared where the layers before have
  // weights to train; a chain of frozen layers cannot show it)
  NN3047: 'bilinear up-sampling of a non-square input: the ResizeBilinear gradient swaps height and width',
  NN3048: 'batch_norm without gamma or beta: its training step reads both',
};
