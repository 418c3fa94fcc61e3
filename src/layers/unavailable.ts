// Layer types Keras has and tfjs 4.22 does not, where nnc's own runtime layer is not worth it: a spec that names one
// gets an error saying so, and how to write the same thing with layers tfjs has.
export const unavailableLayers: Record<string, { missing: string; help: string }> = Object.assign(Object.create(null), {
  conv1d_transpose: {
    missing: 'Conv1DTranspose',
    help: 'write it as `reshape([steps, 1, channels])`, `conv2d_transpose(filters, [kernel, 1], strides: [stride, 1])` and `reshape([-1, filters])`',
  },
});
