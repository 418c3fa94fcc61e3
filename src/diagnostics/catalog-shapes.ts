// NN3xxx (shapes) and NN4xxx (dataset/model contract) entries of the catalog; see catalog.ts.
// Messages say what was expected and what was found; the fix goes in `help`, the arithmetic in notes.
import type { MessageDef } from './catalog.js';

export const shapeMessages = {
  // ---- NN3xxx: shapes through the layers ----
  NN3014: {
    severity: 'warning',
    template: 'output of {layer} is never used',
    help: 'pass it to a layer, list it in the model\'s `outputs: [...]`, or remove the layers that make it',
  },
  NN3015: { severity: 'warning', template: 'input {name} of model {model} is never used', help: 'take it in a layer, e.g. `dense(8)({name})`, or remove it' },
  NN3016: {
    severity: 'error',
    template: '{layer} cannot {op} {first} from {firstFrom} and {second} from {secondFrom}',
  },
  NN3017: { severity: 'error', template: 'axis {axis} of {layer} is out of range for inputs of rank {rank} (with the batch axis)', help: 'use -1 for the last axis' },
  NN3018: { severity: 'error', template: 'expected at least {expected} inputs for {layer}, found {found}', help: 'name the tensors it merges, e.g. `add(x, shortcut)`' },
  NN3019: { severity: 'error', template: 'expected one input for {layer}, found {found}', help: 'merge the tensors first, e.g. `add(a, b)` or `concatenate(a, b)`' },
  NN3024: { severity: 'error', template: 'expected {expected} inputs for {layer}, found {found}' },
  NN3020: { severity: 'error', template: '{layer} takes {expected} initial states ({kinds}), found {found}' },
  NN3021: {
    severity: 'error',
    template: 'initial state {kind} of {layer} must have shape {expected}, found {found} from {from}',
    help: 'pass the states of a recurrent layer with the same units and `return_state: true`',
  },
  NN3022: {
    severity: 'error',
    template: '{layer} cannot wrap a layer with `return_state: true`',
    help: 'remove `return_state`; to pass states on, use the recurrent layer on its own or inside `bidirectional`',
  },
  NN3023: {
    severity: 'error',
    template: 'key and value of {layer} must have the same steps: key {key} from {keyFrom}, value {value} from {valueFrom}',
    help: 'attend over one sequence: the key is a second view of the value, step for step',
  },
  NN3001: { severity: 'error', template: 'expected input of rank {expected} for {layer}, found shape {found}' },
  NN3002: {
    severity: 'error',
    template: 'kernel {kernel} of {layer} does not fit its input: expected {axis} of at least {needed}, found {length}',
    help: 'use `padding: same`, a smaller kernel, or less downsampling before this layer',
  },
  NN3003: {
    severity: 'error',
    template: 'pool {pool} of {layer} does not fit its input: expected {axis} of at least {needed}, found {length}',
    help: 'use `padding: same`, a smaller pool, or fewer pooling layers before this one',
  },
  NN3004: { severity: 'error', template: 'cannot reshape {found} ({count} elements) to {target} ({targetCount} elements)' },
  NN3005: {
    severity: 'error',
    template: 'expected at most one -1 in the shape of {layer}, found {count}',
    help: 'write every size but one; the -1 is computed from the others',
  },
  NN3006: {
    severity: 'error',
    template: 'cannot reshape {found} ({count} elements) to {target}: {count} is not divisible by {known}',
  },
  NN3007: {
    severity: 'error',
    template: 'expected int32 token ids as input of {layer}, found {dtype}',
    help: 'an embedding looks up integer ids: declare the model input as int32, and put the embedding first',
  },
  NN3008: {
    severity: 'warning',
    template: 'softmax over {units} unit in {layer} always outputs 1',
    help: 'for a yes/no output use `activation: sigmoid`; for several classes give the layer one unit per class',
  },
  NN3009: {
    severity: 'error',
    template: 'expected a sequence [steps, features] as input of {layer}, found shape {found}',
  },
  NN3010: {
    severity: 'error',
    template: 'expected input of rank at least {expected} for {layer}, found shape {found}',
  },
  NN3011: {
    severity: 'error',
    template: 'expected positive sizes in the shape of {layer}, found {target}',
  },
  NN3012: {
    severity: 'error',
    template: 'expected strides of 1 with dilation {dilation} in {layer}, found strides {strides}',
    help: 'tfjs cannot combine strides and dilation: set one of them to 1',
  },
  NN3013: {
    severity: 'error',
    template: 'the {what} of {layer} is too large to count exactly: {found}, more than {limit}',
    help: 'no machine can train a model this size; check the sizes in the input shape and the layers',
  },

  // ---- NN304x: layer arguments that do not fit the input ----
  NN3040: {
    severity: 'warning',
    template: 'gru {layer} has {found} parameters in tfjs, {keras} in Keras by default',
    help: 'tfjs implements only `reset_after: false` (one bias per gate), Keras defaults to `reset_after: true` (two per gate); write `reset_after: false` to say the tfjs count is meant',
  },
  NN3041: {
    severity: 'error',
    template: 'cropping of {layer} removes {removed} of {length} along {axis}, leaving none',
    help: 'crop less, or crop a larger input',
  },
  NN3042: {
    severity: 'error',
    template: 'expected a permutation of the {rank} axes of {found} in {layer}, found dims {dims}',
  },
  NN3043: {
    severity: 'error',
    template: 'softmax axis {axis} of {layer} is not an axis of {found} (rank {rank})',
  },
  NN3044: {
    severity: 'error',
    template: 'shared axis {axis} of {layer} is not an axis of {found} (rank {rank})',
    help: 'shared_axes counts the sample axes from 1, without the batch axis',
  },
  NN3046: {
    severity: 'error',
    template: 'bidirectional {layer} wraps a recurrent layer (`lstm`, `gru` or `simple_rnn`), found {found}',
  },
  NN3047: {
    severity: 'error',
    template: 'bilinear up-sampling in {layer} needs a square input in tfjs 4.22, found {found}',
    help: 'tfjs computes the gradient of a bilinear resize with height and width swapped: use `interpolation: nearest`, or make height and width equal',
  },
  NN3048: {
    severity: 'error',
    template: 'tfjs 4.22 cannot train {layer} with {arg}: its training step reads both gamma and beta',
    help: 'remove it: the layer then learns a scale and a shift per channel, as Keras does by default',
  },
  NN3049: {
    severity: 'error',
    template: 'tfjs 4.22 batch-normalizes inputs of at most 3 axes besides the batch, found {found} in {layer}',
    help: 'insert a `reshape` that merges axes before this layer, e.g. to [steps, features]',
  },
  NN3050: {
    severity: 'error',
    template: 'tfjs 4.22 cannot apply the activity_regularizer of {layer}: it throws when the layer is called, and ignores one inside a wrapper',
    help: 'remove `activity_regularizer`; `kernel_regularizer` penalizes the weights instead',
  },
  NN3051: {
    severity: 'error',
    template: 'tfjs 4.22 refuses the name {name} of {what}: its names start with a letter or a digit',
    help: 'rename it, e.g. {fix}',
  },
  NN3052: {
    severity: 'error',
    template: 'the mask of {embedding} (`mask_zero: true`) reaches {layer}, which cannot take a mask in tfjs 4.22',
    help: 'remove `mask_zero: true`, or let a recurrent layer (`lstm`, `gru`, `simple_rnn` without `return_sequences`) consume the mask before {layer}',
  },
  NN3045: {
    severity: 'error',
    template: 'tfjs implements only `reset_after: false` for gru {layer}, found `reset_after: true`',
    help: 'remove `reset_after: true`: the layer then has one bias per gate, as tfjs builds it',
  },
  NN3060: {
    severity: 'error',
    template: '{layer} has {found} parameters: more than a float32 array can hold ({limit} values, 4 GiB)',
    help: 'use fewer units, or reduce the input first (pooling, a smaller dense layer)',
  },
  NN3061: {
    severity: 'warning',
    template: '{layer} has {found} parameters: {bytes} of float32 weights, and up to three times that while training',
    help: 'make sure the machine has the memory, or use fewer units',
  },

  // ---- NN4xxx: model, dataset and training contract ----
  NN4001: {
    severity: 'error',
    template: 'expected {expected} output units for the {classes} classes of dataset {dataset}, found {found}',
    help: 'give the last layer {layer} `units: {expected}`',
  },
  NN4002: {
    severity: 'error',
    template: 'expected {expected} output units for the {count} labels of model {model}, found {found}',
    help: 'give the last layer {layer} `units: {expected}`, or list one label per output unit',
  },
  NN4003: {
    severity: 'error',
    template: '{loss} needs a softmax over more than one unit, found {units} output unit',
    help: 'for two classes with one output unit use `loss: binary_crossentropy` and `activation: sigmoid`',
  },
  NN4004: {
    severity: 'warning',
    template: '{loss} expects {expected} output, found activation {found} on {layer}',
    help: 'set `activation: {fix}` on {layer}',
  },
  NN4005: {
    severity: 'warning',
    template: 'binary_crossentropy with a softmax over {units} units scores each class as its own yes/no question',
    help: 'for one class per sample use `loss: categorical_crossentropy` or `loss: sparse_categorical_crossentropy`',
  },
  NN4006: {
    severity: 'warning',
    template: 'regression loss {loss} on a softmax output: expected numbers, found probabilities that sum to 1',
    help: 'use `activation: linear` on {layer} for a regression target',
  },
  NN4007: {
    severity: 'error',
    template: 'expected a regression loss for the regression dataset {dataset}, found {loss}',
    help: 'use `loss: mean_squared_error`, or set `task: classification` on the dataset',
  },
  NN4008: {
    severity: 'error',
    template: 'expected a model input of {expected} elements for the {sample} samples of dataset {dataset}, found {found} ({count} elements)',
  },
  NN4009: {
    severity: 'error',
    template: 'expected model input {expected} for the images of dataset {dataset}, found {found}',
    help: 'write `input {input}: {expected}`',
  },
  NN4010: {
    severity: 'warning',
    template: 'metric {metric} does not apply to {task}',
  },
  NN4011: {
    severity: 'error',
    template: 'unknown class {name} in class_weights',
  },
  NN4012: {
    severity: 'error',
    template: 'expected a classification dataset for class_weights, found regression dataset {dataset}',
    help: 'remove `class_weights`: a regression target has no classes',
  },
  NN4013: {
    severity: 'error',
    template: 'expected 1 output unit for the regression target {label} of dataset {dataset}, found {found}',
    help: 'give the last layer {layer} `units: 1` and `activation: linear`',
  },
  NN4014: {
    severity: 'error',
    template: 'expected a model input of {expected} elements for the {expected} features of dataset {dataset}, found {found}',
    help: 'write `input {input}: [{expected}]`',
  },
  NN4015: {
    severity: 'error',
    template: 'expected float32 model input for the {source} dataset {dataset}, found int32',
    help: 'drop `int32` from the input: these samples are real-valued',
  },
  NN4016: {
    severity: 'error',
    template: 'expected a flat output [units] for the labels of dataset {dataset}, found {found} from {layer}',
    help: 'add a `flatten` or a global pooling layer before the last dense layer',
  },
  NN4050: {
    severity: 'warning',
    template: 'the {what} of dataset {dataset} {reason}: {path}',
    help: 'the trainer resolves relative paths against --data-dir, else $NNC_DATA_DIR, else the spec\'s folder; until the file is there, nnc checks nothing in it',
  },
  NN4051: {
    severity: 'error',
    template: 'no column {column} for the {role} of dataset {dataset} in {file}',
  },
  NN4052: {
    severity: 'error',
    template: 'expected a model input of {expected} elements for the {expected} feature columns of {file}, found {found}',
    help: 'write `input {input}: [{expected}]`, or list the feature columns with `features: [...]`',
  },
  NN4053: {
    severity: 'error',
    template: '{loss} on {units} output units cannot fit the labels of dataset {dataset}: each sample has one class index, not {units} targets',
    help: 'use `loss: sparse_categorical_crossentropy` with one unit per class (or `categorical_crossentropy`, which one-hot encodes the labels)',
  },
  NN4054: {
    severity: 'warning',
    template: 'regression loss {loss} on the class indices of dataset {dataset}: it predicts class numbers as if class 2 lay between classes 1 and 3',
    help: 'use `loss: sparse_categorical_crossentropy` with one output unit per class and `activation: softmax`',
  },
  NN4055: {
    severity: 'error',
    template: 'label {value} in {file} is not one of the labels of model {model}',
    help: 'list every class of the data in the model\'s `labels`, or fix the label in the file',
  },
  NN4056: {
    severity: 'error',
    template: 'record {record} of {file} has label {label}, outside the {classes} classes of the output of {layer}',
    help: 'give {layer} one unit per class, or fix the labels file',
  },
  NN4041: {
    severity: 'error',
    template: 'tfjs 4.22 cannot train the dilated convolution {layer} in training {training}: it has no gradient for dilation above 1',
    help: 'use `dilation: 1` (with a larger kernel or more layers for the same reach) to train this model with tfjs',
  },
  NN4042: {
    severity: 'error',
    template: 'tfjs 4.22 cannot train {layer} in training {training}: its loop over a single step has no gradient',
    help: 'give the input more than one step, or use a layer without a step loop (over one step, `dense` for a recurrent layer, the wrapped layer for time_distributed)',
  },
  NN4043: {
    severity: 'error',
    template: 'tfjs 4.22 cannot train outputs {first} {firstShape} and {second} {secondShape} of model {model} together: it adds their losses per sample, and these do not broadcast',
    help: 'give the outputs the same steps, or reduce one to a vector (e.g. `global_avg_pool1d`) before it',
  },
  NN4040: {
    severity: 'error',
    template: 'model {model} has no trainable parameters on the way to its outputs, and tfjs cannot take a training step without one',
    help: 'give a layer that an output depends on weights to learn, or remove `trainable: false` from one',
  },
  NN4017: {
    severity: 'error',
    template: 'training {training} feeds model {model} ({inputs} inputs, {outputs} outputs) from a {source} dataset, which has one sample and one label per record',
    help: 'feed several inputs and outputs from a csv dataset: its `inputs` names the feature columns of each input, its `labels` the label column of each output',
  },
  NN4060: {
    severity: 'error',
    template: 'training {training} gives no loss for output {name} of model {model}',
    help: 'add `{output}: <loss>` to `loss`, or give one loss for every output',
  },
  NN4061: {
    severity: 'error',
    template: 'dataset {dataset} gives no label column for output {name} of model {model}',
    help: 'add `{output}: "<column>"` to the dataset\'s `labels`',
  },
  NN4062: {
    severity: 'error',
    template: 'dataset {dataset} gives no feature columns for input {name} of model {model}',
    help: 'add `{input}: ["<column>", ...]` to the dataset\'s `inputs`',
  },
  NN4063: {
    severity: 'error',
    template: 'dataset {dataset} feeds one input, but model {model} has {count} inputs ({names})',
    help: 'name the feature columns of each input in the dataset: `inputs: {example}`',
  },
  NN4067: {
    severity: 'error',
    template: 'dataset {dataset} gives one label, but model {model} has {count} outputs ({names})',
    help: 'name the label column of each output in the dataset: `labels: {example}`',
  },
  NN4064: {
    severity: 'error',
    template: 'expected {expected} feature columns for input {name} of shape {shape} in model {model}, found {found} in dataset {dataset}',
    help: 'list {expected} columns for `{input}` in the dataset\'s `inputs`, or write `input {input}: [{found}]`',
  },
  NN4065: {
    severity: 'error',
    template: 'class_weights applies to a model with one output; model {model} has {count}',
    help: 'remove `class_weights`, or train a model with one output',
  },
  NN4066: {
    severity: 'warning',
    template: 'metric {metric} applies to no output of model {model}: {tasks}',
  },
} as const satisfies Record<string, MessageDef>;
