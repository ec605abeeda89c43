import { evaluate } from '../../src/model/evaluate.ts';
import { trainingData, DEFAULT_DATA } from '../../src/substitution/system.ts';
import { familySpec } from '../../src/model/families.ts';
const { data } = trainingData(DEFAULT_DATA);
await evaluate(data, { protocol: 'leave-site-out', spec: familySpec('gp', 'svr', { seed: 0 }), seed: 0, repeats: 0, baselines: false, shots: [0, 5, 10, 20], draws: 3 });
