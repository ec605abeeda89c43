/**
 * The hyper-parameters of every registry regressor, declared once: the registry (regressors.ts)
 * reads them for the CLI and model files, and each model takes its defaults from here. A light
 * module: importing it loads no model (tfjs stays unloaded until a network is built).
 */
import { number } from '../../util/params.ts';

export const SVR_PARAMS = {
  C: number('penalty C of the ε-insensitive loss', 10, { min: 0, minExclusive: true }),
  epsilon: number('half-width ε of the insensitive tube', 0.05, { min: 0, unit: 'eV' }),
  gammaScale: number('RBF width as γ·d: γ = gammaScale / (number of features), so it carries over between feature sets', 1, { min: 0, minExclusive: true }),
} as const;

export const RF_PARAMS = {
  nEstimators: number('trees', 100, { min: 1, max: 5000, integer: true }),
  maxFeatures: number('candidate features per split: a fraction of d in (0, 1], or a count > 1', 1, { min: 0, minExclusive: true }),
  maxDepth: number('largest tree depth', 1000, { min: 1, integer: true }),
  minSamplesLeaf: number('fewest samples in a leaf', 1, { min: 1, integer: true }),
} as const;

export const DNN_PARAMS = {
  epochs: number('largest number of training epochs', 300, { min: 1, integer: true }),
  learningRate: number('Adam learning rate', 1e-3, { min: 0, minExclusive: true }),
  patience: number('epochs without validation gain before stopping', 25, { min: 1, integer: true }),
  weightDecay: number('L2 penalty on the weights', 0, { min: 0 }),
} as const;

export const MHAR_PARAMS = {
  embedDim: number('token embedding width (divisible by heads)', 16, { min: 2, integer: true }),
  heads: number('attention heads', 2, { min: 1, max: 8, integer: true }),
  epochs: number('largest number of training epochs', 60, { min: 1, integer: true }),
  learningRate: number('Adam learning rate', 2e-3, { min: 0, minExclusive: true }),
  patience: number('epochs without validation gain before stopping', 10, { min: 1, integer: true }),
} as const;

export const LGDCNN_PARAMS = {
  embedDim: number('token embedding width', 16, { min: 2, max: 256, integer: true }),
  hidden: number('LSTM, GRU and convolution width', 16, { min: 2, max: 256, integer: true }),
  convLayers: number('dilated convolution layers (dilations 1, 2, 4, …)', 2, { min: 0, max: 6, integer: true }),
  epochs: number('largest number of training epochs', 40, { min: 1, integer: true }),
  learningRate: number('Adam learning rate', 4e-3, { min: 0, minExclusive: true }),
  patience: number('epochs without validation gain before stopping', 8, { min: 1, integer: true }),
  weightDecay: number('L2 penalty on the weights', 0, { min: 0 }),
  members: number('ensemble members (consecutive seeds, predictions averaged)', 1, { min: 1, max: 10, integer: true }),
  anchorRepeat: number('repetitions per epoch of the pristine anchors (rows with target exactly 0)', 10, { min: 1, max: 100, integer: true }),
} as const;

