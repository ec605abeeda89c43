import { RandomForestRegression } from 'ml-random-forest';
import { createRng } from '../src/model/random.ts';
import { mae } from '../src/model/metrics.ts';
const r = createRng(1);
const n=1500,d=100;
const X = Array.from({length:n},()=>Array.from({length:d},()=>r.next()*2-1));
const y = X.map(x=>Math.sin(3*x[0])+0.5*x[1]*x[1]);
for (const mf of [0.33, 0.7, 1.0]) {
const rf = new RandomForestRegression({nEstimators:50, maxFeatures:mf, seed:3, useSampleBagging:true, replacement:false, noOOB:true, treeOptions:{}});
let t=performance.now(); rf.train(X.slice(0,1200),y.slice(0,1200)); const tf=performance.now()-t;
t=performance.now(); const p=rf.predict(X.slice(1200)); console.log(mf,'fit',tf,'pred',performance.now()-t, mae(y.slice(1200),p));
const js = JSON.stringify(rf.toJSON()); console.log(js.length);
const rf2 = RandomForestRegression.load(JSON.parse(js)); const p2 = rf2.predict(X.slice(1200)); console.log(p.every((v,i)=>v===p2[i]));
}
