import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  groupKFold,
  groupTrainTestSplit,
  kFold,
  leaveGroupOut,
  repeatedGroupKFold,
  repeatedKFold,
  trainTestSplit,
} from '../src/model/learn/splits.ts';

function assertPartition(train: number[], test: number[], n: number) {
  assert.equal(train.length + test.length, n);
  assert.equal(new Set([...train, ...test]).size, n);
}

test('kFold: every index tested exactly once, folds differ in size by ≤ 1', () => {
  const n = 103;
  const splits = kFold(n, 5, 7);
  assert.equal(splits.length, 5);
  const seen = new Array(n).fill(0);
  for (const s of splits) {
    assertPartition(s.train, s.test, n);
    for (const i of s.test) seen[i]++;
  }
  assert.ok(seen.every((c) => c === 1));
  const sizes = splits.map((s) => s.test.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  assert.deepEqual(kFold(n, 5, 7), splits);
  assert.notDeepEqual(kFold(n, 5, 8)[0].test, splits[0].test);
  assert.throws(() => kFold(3, 5));
});

// 40 groups of sizes 1..6 (uneven, like host structures with different site counts)
const groups: string[] = [];
for (let g = 0; g < 40; g++) for (let k = 0; k < 1 + (g % 6); k++) groups.push(`g${g}`);

test('groupKFold never splits a group and covers every row once', () => {
  const splits = groupKFold(groups, 5, 3);
  const seen = new Array(groups.length).fill(0);
  for (const s of splits) {
    assertPartition(s.train, s.test, groups.length);
    const testGroups = new Set(s.test.map((i) => groups[i]));
    for (const i of s.train) assert.ok(!testGroups.has(groups[i]), `group ${groups[i]} on both sides`);
    for (const i of s.test) seen[i]++;
  }
  assert.ok(seen.every((c) => c === 1));
  // greedy balancing keeps folds within one largest group (6 rows) of each other
  const sizes = splits.map((s) => s.test.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 6, `sizes ${sizes}`);
});

test('groupTrainTestSplit keeps groups whole and hits the fraction', () => {
  for (const seed of [0, 1, 2, 3]) {
    const s = groupTrainTestSplit(groups, 0.2, seed);
    assertPartition(s.train, s.test, groups.length);
    const testGroups = new Set(s.test.map((i) => groups[i]));
    for (const i of s.train) assert.ok(!testGroups.has(groups[i]));
    assert.ok(Math.abs(s.test.length - 0.2 * groups.length) <= 6, `test size ${s.test.length}`);
  }
  const t = trainTestSplit(50, 0.3, 1);
  assertPartition(t.train, t.test, 50);
  assert.equal(t.test.length, 15);
});

test('repeated 20×5 CV gives 100 splits with distinct partitions per repeat', () => {
  const r = repeatedGroupKFold(groups, 5, 20, 11);
  assert.equal(r.length, 100);
  assert.equal(r[99].repeat, 19);
  const firstFolds = new Set(r.filter((s) => s.fold === 0).map((s) => s.test.join(',')));
  assert.ok(firstFolds.size > 15, `only ${firstFolds.size} distinct first folds`);
  for (let rep = 0; rep < 20; rep++) {
    const count = new Array(groups.length).fill(0);
    for (const s of r.filter((x) => x.repeat === rep)) for (const i of s.test) count[i]++;
    assert.ok(count.every((c) => c === 1));
  }
  assert.equal(repeatedKFold(30, 3, 4, 0).length, 12);
});

test('leaveGroupOut holds out every row carrying a tag, rows may carry two tags', () => {
  const tags = [['Ti', 'Hf'], ['Ti'], ['Hf', 'Cr'], ['Cr'], ['Al', 'Cr'], ['Al']];
  const splits = leaveGroupOut(tags);
  assert.deepEqual(splits.map((s) => s.tag), ['Al', 'Cr', 'Hf', 'Ti']);
  const cr = splits.find((s) => s.tag === 'Cr')!;
  assert.deepEqual(cr.test, [2, 3, 4]);
  assert.deepEqual(cr.train, [0, 1, 5]);
  for (const s of splits) {
    for (const i of s.train) assert.ok(!tags[i].includes(s.tag!));
    for (const i of s.test) assert.ok(tags[i].includes(s.tag!));
  }
  assert.deepEqual(leaveGroupOut(['a', 'b', 'a']).map((s) => s.test), [[0, 2], [1]]);
  assert.equal(leaveGroupOut(tags, ['Ti']).length, 1);
});
