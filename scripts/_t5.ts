import { initTf, tf } from '../src/model/tfutil.ts';
await initTf();
const time = (name: string, f: () => tf.Tensor | tf.Tensor[]) => { for (let w=0;w<3;w++) tf.tidy(()=>{const r=f(); (Array.isArray(r)?r:[r]).forEach(t=>t.dataSync());}); const t=performance.now(); for (let i=0;i<20;i++) tf.tidy(()=>{const r=f(); (Array.isArray(r)?r:[r]).forEach(t=>t.dataSync());}); console.log(tf.getBackend(), name, ((performance.now()-t)/20).toFixed(2),'ms'); };
for (const be of ['wasm','cpu']) {
await tf.setBackend(be);
for (const [bh, dh] of [[256,4],[128,8],[64,16]]) {
const Q = tf.randomNormal([bh,60,dh]); const K = tf.randomNormal([bh,60,dh]);
time(`bmm QK ${bh}x${dh}`, ()=>tf.matMul(Q,K,false,true));
time(`bmm QK noT ${bh}x${dh}`, ()=>tf.matMul(Q,tf.transpose(K,[0,2,1])));
if (dh===4) time(`bcast ${bh}x${dh}`, ()=>tf.sum(tf.mul(tf.expandDims(Q,2), tf.expandDims(K,1)),3));
const S = tf.randomNormal([bh,60,60]);
time(`softmax ${bh}`, ()=>tf.softmax(S));
time(`exp ${bh}`, ()=>tf.exp(S));
}
}
