// Optimizers, learning-rate schedules and "monitored metric" bookkeeping shared by early stopping,
// reduce-on-plateau and best-only checkpoints.
import * as tf from '@tensorflow/tfjs';
import type { Optimizer, Schedule } from './spec-types.js';

export function createOptimizer(spec: Optimizer): tf.Optimizer {
  switch (spec.type) {
    case 'sgd':
      return spec.momentum > 0
        ? tf.train.momentum(spec.learning_rate, spec.momentum, spec.nesterov)
        : tf.train.sgd(spec.learning_rate);
    case 'adam':
      return tf.train.adam(spec.learning_rate, spec.beta_1, spec.beta_2, spec.epsilon);
    case 'adamax':
      return tf.train.adamax(spec.learning_rate, spec.beta_1, spec.beta_2, spec.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learning_rate, spec.rho, spec.momentum, spec.epsilon);
    case 'adagrad':
      return tf.train.adagrad(spec.learning_rate, spec.initial_accumulator_value);
    case 'adadelta':
      return tf.train.adadelta(spec.learning_rate, spec.rho, spec.epsilon);
  }
}

/**
 * Sets the learning rate of a tfjs optimizer. SGD and Momentum cache `-lr` in a kept scalar, so they need
 * `setLearningRate`; Adam, Adamax, RMSProp, Adagrad and Adadelta read the plain `learningRate` field on each step.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a positive finite number, got ${lr}`);
  const withSetter = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  // tfjs optimizers define Symbol.hasInstance by duck typing, so `instanceof` cannot tell them apart.
  const className = optimizer.getClassName();
  if ((className === 'SGD' || className === 'Momentum') && typeof withSetter.setLearningRate === 'function') {
    withSetter.setLearningRate(lr);
  } else {
    withSetter.learningRate = lr;
  }
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Keras and tfjs spell some metrics differently; history keys use the tfjs names (`acc`, `val_acc`). */
export function normalizeMonitor(monitor: string): string {
  return monitor.replace(/(^|_)accuracy$/, '$1acc');
}

/** Whether larger values of this metric are better. */
function monitorMaximizes(monitor: string): boolean {
  const base = normalizeMonitor(monitor).replace(/^val_/, '');
  return ['acc', 'precision', 'recall', 'f1', 'r2'].includes(base);
}

/** Tracks the best value of a monitored metric; `update` says whether the new value is an improvement. */
export interface MonitorState { best: number | null; wait: number; bestEpoch: number | null }

export function newMonitorState(): MonitorState {
  return { best: null, wait: 0, bestEpoch: null };
}

function isImprovement(monitor: string, state: MonitorState, value: number, minDelta = 0): boolean {
  if (!Number.isFinite(value)) return false;
  if (state.best === null) return true;
  const delta = Math.abs(minDelta);
  return monitorMaximizes(monitor) ? value > state.best + delta : value < state.best - delta;
}

/** Records `value` for `epoch`; returns true when it improved (wait reset), else increments wait. */
export function updateMonitor(monitor: string, state: MonitorState, value: number, epoch: number, minDelta = 0): boolean {
  if (isImprovement(monitor, state, value, minDelta)) {
    state.best = value;
    state.bestEpoch = epoch;
    state.wait = 0;
    return true;
  }
  state.wait += 1;
  return false;
}

/**
 * Picks the value of `monitor` from epoch logs. A `val_` metric without validation data falls back to the
 * training metric (as Keras warns and does); returns the key used, or null when the metric is not logged at all.
 */
export function resolveMonitorKey(monitor: string, logs: Record<string, number>): string | null {
  const key = normalizeMonitor(monitor);
  if (key in logs) return key;
  const trainKey = key.replace(/^val_/, '');
  return trainKey in logs ? trainKey : null;
}

export interface ScheduleState {
  /** Current learning rate when the schedule is reduce_on_plateau (others are computed from the epoch). */
  lr: number;
  plateau: MonitorState;
}

export function newScheduleState(baseLr: number): ScheduleState {
  return { lr: baseLr, plateau: newMonitorState() };
}

/** Learning rate to use for 0-based `epoch`. */
export function learningRateForEpoch(schedule: Schedule | null, baseLr: number, epoch: number, state: ScheduleState): number {
  if (schedule === null) return baseLr;
  switch (schedule.type) {
    case 'step':
      return baseLr * Math.pow(schedule.factor, Math.floor(epoch / schedule.every));
    case 'exponential':
      return baseLr * Math.pow(schedule.decay_rate, epoch / schedule.decay_epochs);
    case 'reduce_on_plateau':
      return state.lr;
  }
}

/**
 * Reduce-on-plateau bookkeeping after an epoch: after `patience` epochs without improvement, lr is multiplied
 * by `factor` (not below min_lr) and the wait restarts. Returns the new lr when it changed, else null.
 */
export function updatePlateau(schedule: Schedule | null, state: ScheduleState, logs: Record<string, number>, epoch: number): number | null {
  if (schedule === null || schedule.type !== 'reduce_on_plateau') return null;
  const key = resolveMonitorKey(schedule.monitor, logs);
  if (key === null) return null;
  if (updateMonitor(schedule.monitor, state.plateau, logs[key], epoch, schedule.min_delta)) return null;
  if (state.plateau.wait < schedule.patience) return null;
  state.plateau.wait = 0;
  const reduced = Math.max(state.lr * schedule.factor, schedule.min_lr);
  if (reduced >= state.lr) return null;
  state.lr = reduced;
  return reduced;
}
