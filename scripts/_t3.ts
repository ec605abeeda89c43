import { DNNRegressor } from '../src/model/dnn.ts';
import { createRng } from '../src/model/random.ts';
import { mae } from '../src/model/metrics.ts';
const r = createRng(1);
const n=1500,d=100;
const X = Array.from({length:n},()=>Array.from({length:d},()=>r.next()*2-1));
const y = X.map(x=>Math.sin(3*x[0])+0.5*x[1]*x[1]);
for (let rep=0;rep<2;rep++){
const m = new DNNRegressor({seed:3});
let t=performance.now(); await m.fit(X.slice(0,1200),y.slice(0,1200)); const tf=performance.now()-t;
t=performance.now(); const p=m.predict(X.slice(1200)); console.log('fit',tf,'pred',performance.now()-t, mae(y.slice(1200),p), m.report?.epochsRun, m.report?.bestEpoch, p.slice(0,3));
const m2 = await DNNRegressor.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))); const p2=m2.predict(X.slice(1200)); console.log(p.every((v,i)=>v===p2[i]));
}
