// `nnc summary` reproduces published parameter totals, and shows the layers before a shape error.
import { describe, expect, it } from 'vitest';
import { nnc } from './run-cli.js';


describe('nnc summary', () => {
  it.each([
    ['specs/fashion_mlp.nn', '494,710'],
    ['specs/fruits_cnn.nn', '3,451,623'],
    ['test/fixtures/models/mnist_convnet.nn', '34,826'],
    ['test/fixtures/models/vgg16.nn', '138,357,544'],
    // keras-io's functional API guide: the convolutional autoencoder (conv2d_transpose, up_sampling2d)
    ['specs/published/conv_autoencoder.nn', '28,241'],
    // keras.io's lstm_seq2seq with a bidirectional encoder whose states start the decoder (derived by hand in the spec)
    ['specs/published/bidirectional_seq2seq.nn', '1,960,541'],
  ])('%s has %s parameters', async (file, total) => {
    const r = await nnc('summary', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Total params: ${total}`);
  });

  it('writes JSON with per-layer shapes and counts', async () => {
    const r = await nnc('summary', 'specs/fashion_mlp.nn', '--format', 'json');
    const [model] = JSON.parse(r.out);
    expect(model.totalParams).toBe(494_710);
    expect(model.layers.map((l: { outputShape: unknown }) => l.outputShape)).toEqual([[null, 784], [null, 500], [null, 200], [null, 10]]);
  });

  it('shows the layers before a shape error and exits 1', async () => {
    const r = await nnc('summary', 'test/fixtures/shapes/kernel_too_big_after_pool.nn');
    expect(r.code).toBe(1);
    expect(r.out).toContain('max_pool2d_2 (max_pool2d)   (None, 5, 5, 8)');
    expect(r.out).toContain('stopped after 4 layers');
    expect(r.err).toContain('error[NN3002]');
  });
});

describe('nnc check and warnings', () => {
  const warnOnly = 'test/fixtures/shapes/precision_on_regression.nn';
  it('passes with warnings, fails with --deny-warnings', async () => {
    const plain = await nnc('check', warnOnly);
    expect(plain.out).toMatch(/0 errors, [1-9]\d* warnings?/);
    expect(plain.code).toBe(0);
    expect((await nnc('check', warnOnly, '--deny-warnings')).code).toBe(1);
  });

  it('exits 1 on a shape error, naming the layer line', async () => {
    const r = await nnc('check', 'test/fixtures/shapes/lstm_after_flatten.nn');
    expect(r.code).toBe(1);
    expect(r.out).toContain('--> test/fixtures/shapes/lstm_after_flatten.nn:4:3');
  });
});
