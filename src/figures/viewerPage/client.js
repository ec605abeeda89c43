// @ts-check
// cescreen viewer — page code, inlined as the page's module script by src/figures/viewer.ts after
// pageScripts/shared.js and ../structure/cellText.js (the imports below are for the type checker:
// inline.ts drops them, the concatenation already holds those names). Plain browser JavaScript,
// type-checked through its JSDoc by `npx tsc --noEmit -p .`; three.js arrives as text blocks turned
// into Blob-URL modules.
import { codeHtml, escapeXml, fileStem, formatNumber, intervalText, substitutionText } from '../pageScripts/shared.js';
import { cifText, poscarText } from '../../structure/cellText.js';

/**
 * @typedef {[number, number, number]} V3
 * @typedef {import('../viewer.ts').PageData} PageData
 * @typedef {PageData['atoms'][number]} Atom
 * @typedef {PageData['environments'][number]} Environment
 * @typedef {typeof import('three')} ThreeModule
 * @typedef {typeof import('three/examples/jsm/controls/OrbitControls.js').OrbitControls} OrbitControlsClass
 * @typedef {import('three').Vector3} Vector3
 * @typedef {import('three').Mesh} Mesh
 * @typedef {import('three').Group} Group
 * @typedef {import('three').MeshPhongMaterialParameters} MaterialOptions
 * @typedef {{ atom: number, label: string, faces: number[][], vertices: number }} SelectedPolyhedron
 * @typedef {{ config: number, X: string | null, Y: string | null, atom_a: number | null, atom_b: number | null, hostA: string | undefined, hostB: string | undefined, drawn: boolean }} SelectedPair
 * @typedef {{ config: number, X: string, Y: string, eds: number }} ShownEnergy
 * @typedef {{ element: string, label: string, atom: number | null, position: V3 }} MeasurePick
 * @typedef {{ picks: MeasurePick[], distances: number[], angle: number | null }} Measurement
 * @typedef {{ text: string, pos: Vector3, cls?: string, radius: number, priority: number, color?: string }} Label
 * @typedef {{ x: number, y: number, w: number, h: number }} Box
 */

/**
 * What the tests (and any script) read and drive: window.cescreenViewer.
 * @typedef {{
 *   ready: boolean, error: string | null, background: number[],
 *   selectedPolyhedron: SelectedPolyhedron | null, selectedPair: SelectedPair | null,
 *   lastPrediction: ShownEnergy | null, lastReference: ShownEnergy | null,
 *   lastExport: { format: string, name?: string, text?: string, error?: string } | null,
 *   lastSnapshot: { name: string, width: number, height: number, bytes: number } | null,
 *   renderCount: number, labels: number, drawnAtoms: number, bonds: number, legend: string[], view: string,
 *   measure: Measurement,
 *   [action: string]: unknown,
 * }} ViewerHooks
 */

/** @type {ViewerHooks} */
const hooks = {
  ready: false,
  error: null,
  background: [255, 255, 255],
  selectedPolyhedron: null,
  selectedPair: null,
  lastPrediction: null,
  lastReference: null,
  lastExport: null,
  lastSnapshot: null,
  renderCount: 0,
  labels: 0,
  drawnAtoms: 0,
  bonds: 0,
  legend: [],
  view: '',
  measure: { picks: [], distances: [], angle: null },
};
const page = /** @type {Window & { cescreenViewer?: ViewerHooks, cescreenFigures?: { save(blob: Blob, name: string): void } }} */ (window);
page.cescreenViewer = hooks;

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`viewer page: no element #${id}`);
  return el;
}
/** @param {string} id */
const inputById = (id) => /** @type {HTMLInputElement} */ (byId(id));
/** @param {string} id */
const selectById = (id) => /** @type {HTMLSelectElement} */ (byId(id));
/** @param {string} id */
const textOf = (id) => byId(id).textContent ?? '';
/** @param {string} code */
const blobUrl = (code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
/** @param {unknown} e */
const messageOf = (e) => (e instanceof Error ? e.message : String(e));

/** @param {unknown} e */
function fail(e) {
  hooks.error = messageOf(e);
  const box = byId('error');
  box.textContent = 'The 3D view could not start: ' + hooks.error;
  box.style.display = 'block';
  console.error(e);
}

try {
  const coreUrl = blobUrl(textOf('three-core'));
  const threeUrl = blobUrl(textOf('three-module').split("'./three.core.js'").join(JSON.stringify(coreUrl)));
  const orbitUrl = blobUrl(textOf('three-orbit').replace(/from\s*(['"])three\1/g, 'from ' + JSON.stringify(threeUrl)));
  const THREE = await import(threeUrl);
  const { OrbitControls } = await import(orbitUrl);
  start(THREE, OrbitControls, JSON.parse(textOf('cescreen-data')));
} catch (e) {
  fail(e);
}

/**
 * Save a blob under a file name: the figure tools' download (a classic script, run before this module).
 * @param {Blob} blob
 * @param {string} name
 */
function save(blob, name) {
  if (!page.cescreenFigures) throw new Error('viewer page: the figure tools script is missing');
  page.cescreenFigures.save(blob, name);
}

/**
 * @param {ThreeModule} THREE
 * @param {OrbitControlsClass} OrbitControls
 * @param {PageData} data
 */
function start(THREE, OrbitControls, data) {
  const view = byId('view');
  /** @param {number | null | undefined} v */
  const fmt = (v, d = 2) => formatNumber(v, d);
  const esc = escapeXml;

  // ---------- renderer, cameras, lights ----------
  /** @type {import('three').WebGLRenderer} */
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (e) {
    fail(new Error('WebGL is not available in this browser (' + messageOf(e) + ')'));
    return;
  }
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.setClearColor(0xffffff, 1);
  view.prepend(renderer.domElement);
  renderer.domElement.setAttribute('data-testid', 'viewer-canvas');
  renderer.domElement.tabIndex = 0;

  const scene = new THREE.Scene();
  const perspective = new THREE.PerspectiveCamera(35, 1, 0.1, 2000);
  const orthographic = new THREE.OrthographicCamera(-1, 1, 1, -1, 0.1, 2000);
  /** @type {import('three').PerspectiveCamera | import('three').OrthographicCamera} */
  let camera = perspective;
  scene.add(perspective, orthographic);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x8a8a8a, 1.9));
  const key = new THREE.DirectionalLight(0xffffff, 1.6);
  key.position.set(1, 1.5, 2);
  camera.add(key); // light follows the camera so the lit side always faces the viewer

  // ---------- lattice geometry ----------
  const [A, B, C] = data.lattice.map((r) => new THREE.Vector3(r[0], r[1], r[2]));
  /** @param {readonly number[]} f */
  const fracToCart = (f) => A.clone().multiplyScalar(f[0]).add(B.clone().multiplyScalar(f[1])).add(C.clone().multiplyScalar(f[2]));
  const M = new THREE.Matrix3().set(A.x, B.x, C.x, A.y, B.y, C.y, A.z, B.z, C.z); // columns a, b, c: cart = M · frac
  const Minv = M.clone().invert();
  /** @param {V3} p */
  const toFrac = (p) => /** @type {V3} */ (new THREE.Vector3(...p).applyMatrix3(Minv).toArray());
  /** @param {readonly number[]} p */
  const vec = (p) => new THREE.Vector3(p[0], p[1], p[2]);
  const cellCentre = fracToCart([0.5, 0.5, 0.5]);
  const CORNERS = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]];

  const cellGroup = new THREE.Group();
  scene.add(cellGroup);
  {
    const edges = [];
    for (const [u, v] of [[[1, 0, 0], [1, 1, 0]], [[1, 0, 0], [1, 0, 1]], [[0, 1, 0], [1, 1, 0]], [[0, 1, 0], [0, 1, 1]], [[0, 0, 1], [1, 0, 1]], [[0, 0, 1], [0, 1, 1]], [[1, 1, 0], [1, 1, 1]], [[1, 0, 1], [1, 1, 1]], [[0, 1, 1], [1, 1, 1]]]) {
      edges.push(fracToCart(u), fracToCart(v));
    }
    cellGroup.add(new THREE.LineSegments(new THREE.BufferGeometry().setFromPoints(edges), new THREE.LineBasicMaterial({ color: 0x555555 })));
    // The three axes from the origin in red/green/blue (a/b/c).
    const axisCol = [0xd03030, 0x30a030, 0x3050d0];
    [A, B, C].forEach((v, i) => {
      cellGroup.add(new THREE.Line(new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(), v]), new THREE.LineBasicMaterial({ color: axisCol[i] })));
    });
  }

  // ---------- labels: HTML over the canvas, placed after every render ----------
  // Fixed pixel size, upright at any rotation; each is kept clear of the ones placed before it
  // (higher priority first, then nearer the viewer first).
  const labelLayer = byId('labels');
  /** @type {Map<string, Label[]>} group name → labels */
  const labelSets = new Map();
  const axisColours = ['#c02020', '#208020', '#2040c0'];
  labelSets.set('axes', [A, B, C].map((v, i) => ({ text: 'abc'[i], pos: v.clone().multiplyScalar(1.07), cls: 'axis', radius: 0, priority: 1, color: axisColours[i] })));
  /** @param {Vector3} p */
  const screenOf = (p) => {
    const v = p.clone().project(camera);
    const w = renderer.domElement.clientWidth;
    const h = renderer.domElement.clientHeight;
    return { x: ((v.x + 1) / 2) * w, y: ((1 - v.y) / 2) * h, z: v.z };
  };
  const rightAxis = () => new THREE.Vector3().setFromMatrixColumn(camera.matrixWorld, 0).normalize();
  /** @param {Box} a @param {Box} b */
  const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  function placeLabels() {
    labelLayer.innerHTML = '';
    // The toolbar and the overlays at the bottom are taken: no label goes under them.
    const base = view.getBoundingClientRect();
    /** @type {Box[]} */
    const placed = [byId('tools'), byId('legend'), byId('hint'), byId('measure-out')].map((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left - base.left, y: r.top - base.top, w: r.width, h: r.height };
    });
    const right = rightAxis();
    const all = [...labelSets.values()]
      .flat()
      .map((l) => ({ l, c: screenOf(l.pos) }))
      .filter(({ c }) => c.z >= -1 && c.z <= 1)
      .sort((x, y) => y.l.priority - x.l.priority || x.c.z - y.c.z);
    for (const { l, c } of all) {
      const rpx = l.radius ? Math.abs(screenOf(l.pos.clone().addScaledVector(right, l.radius)).x - c.x) : 0;
      const el = document.createElement('div');
      el.className = 'lab ' + (l.cls || '');
      el.textContent = l.text;
      if (l.color) el.style.color = l.color;
      labelLayer.append(el);
      const w = el.offsetWidth;
      const h = el.offsetHeight;
      // Above the atom, else below, right or left of it; a label that fits nowhere is not drawn.
      const spots = l.radius
        ? [[c.x, c.y - rpx - 2], [c.x, c.y + rpx + h + 2], [c.x + rpx + w / 2 + 3, c.y + h / 2], [c.x - rpx - w / 2 - 3, c.y + h / 2]]
        : [[c.x, c.y + h / 2], [c.x + w / 2 + 4, c.y + h / 2], [c.x - w / 2 - 4, c.y + h / 2]];
      const free = spots.map(([x, y]) => ({ x: x - w / 2, y: y - h, w, h })).find((r) => !placed.some((q) => overlaps(r, q)));
      if (!free) {
        el.remove();
        continue;
      }
      el.style.left = free.x + w / 2 + 'px';
      el.style.top = free.y + h + 'px';
      placed.push(free);
    }
    hooks.labels = labelLayer.children.length;
  }

  // ---------- display state ----------
  const atomById = new Map(data.atoms.map((a) => [a.index, a]));
  /** @param {number} i */
  const atomOf = (i) => {
    const a = atomById.get(i);
    if (!a) throw new Error('no atom with index ' + i);
    return a;
  };
  const envByAtom = new Map(data.environments.map((e) => [e.atom, e]));
  /** @param {string} el */
  const radiusOf = (el) => data.elementRadii[el] ?? 1.4;
  /** @param {string} el */
  const colourOfElement = (el) => data.elementColors[el] || '#999999';
  /** @typedef {'pairs' | 'aet' | 'cutoff'} BondMode */
  const state = {
    atomScale: 0.42,
    /** @type {'element' | 'label'} */
    colorMode: 'element',
    images: true,
    bonds: true,
    /** @type {BondMode} */
    bondMode: 'pairs',
    bondCutoff: 3.0,
    ortho: false,
    atomLabels: false,
    measuring: false,
  };
  /** @param {string} element @param {string} label */
  const colorOf = (element, label) => (state.colorMode === 'label' ? data.labelColors[label] || '#999999' : colourOfElement(element));

  const sphereGeo = new THREE.SphereGeometry(1, 32, 20);
  const bondGeo = new THREE.CylinderGeometry(1, 1, 1, 10, 1, true);
  /** @type {Map<string, import('three').MeshPhongMaterial>} */
  const materials = new Map();
  /** @param {string} hex @param {MaterialOptions} [opts] */
  function materialFor(hex, opts = {}) {
    const k = hex + JSON.stringify(opts);
    let m = materials.get(k);
    if (!m) {
      m = new THREE.MeshPhongMaterial({ color: new THREE.Color(hex), shininess: 70, specular: 0x333333, ...opts });
      materials.set(k, m);
    }
    return m;
  }
  // While a polyhedron or a pair is shown the rest of the cell fades back, so the selection reads clearly.
  let faded = false;
  const fadedOpts = { transparent: true, opacity: 0.22, depthWrite: false };
  /** @param {Atom} a */
  const cellAtomMaterial = (a) => materialFor(colorOf(a.element, a.label), faded ? fadedOpts : {});

  /** Empty a group, freeing the geometry that is not shared. @param {Group} g */
  function disposeGroup(g) {
    for (const o of [...g.children]) {
      g.remove(o);
      if (o instanceof THREE.InstancedMesh) o.dispose();
      else if ((o instanceof THREE.Mesh || o instanceof THREE.Line) && o.geometry !== sphereGeo && o.geometry !== bondGeo) o.geometry.dispose();
    }
  }

  /**
   * A sphere that a click can pick: what it shows (element, site label, atom index when it is an
   * atom of the cell) and where it is drawn.
   * @param {Mesh} m @param {string} element @param {string} label @param {number | null} atom
   */
  function pickable(m, element, label, atom) {
    m.userData.pick = { element, label, atom };
    return m;
  }

  /** Integer shifts that repeat an atom lying on cell faces, edges or corners on the opposite side. @param {V3} f */
  function imageShifts(f) {
    /** @type {V3[]} */
    const shifts = [[0, 0, 0]];
    if (!state.images) return shifts;
    for (let k = 0; k < 3; k++) {
      const s = Math.abs(f[k]) < 1e-3 ? 1 : Math.abs(f[k] - 1) < 1e-3 ? -1 : 0;
      if (s) for (const t of shifts.slice()) shifts.push(/** @type {V3} */ (t.map((x, j) => (j === k ? s : x))));
    }
    return shifts;
  }

  const atomGroup = new THREE.Group();
  scene.add(atomGroup);
  /** @type {Mesh[]} every drawn sphere of the cell, boundary images included; userData.index = atom index */
  let atomMeshes = [];
  function buildAtoms() {
    disposeGroup(atomGroup);
    atomMeshes = [];
    for (const a of data.atoms) {
      const p = vec(a.cart);
      for (const t of imageShifts(a.frac ?? toFrac(a.cart))) {
        const m = pickable(new THREE.Mesh(sphereGeo, cellAtomMaterial(a)), a.element, a.label, a.index);
        m.position.copy(p).add(fracToCart(t));
        m.scale.setScalar(a.radius * state.atomScale);
        m.userData.index = a.index;
        m.userData.shift = t;
        atomGroup.add(m);
        atomMeshes.push(m);
      }
    }
    hooks.drawnAtoms = atomMeshes.length;
    buildBonds();
  }
  /** @param {Mesh} m */
  const meshAtom = (m) => atomOf(/** @type {number} */ (m.userData.index));

  // ---------- bonds: half-bonds in each atom's colour between drawn atoms, as VESTA draws them ----------
  const bondGroup = new THREE.Group();
  scene.add(bondGroup);
  /** @param {string} a @param {string} b */
  const pairKey = (a, b) => (a < b ? `${a} ${b}` : `${b} ${a}`);
  const pairCutoff = new Map(data.bonds.cutoffs.map((c) => [pairKey(c.a, c.b), c.cutoff]));
  const longestPairCutoff = Math.max(0, ...pairCutoff.values());
  /** @type {Map<number, { v: Vector3, element: string }[][]>} per cutoff: per atom, the vector to every atom within it */
  const neighbourCache = new Map();
  /** @param {number} cutoff */
  function neighboursWithin(cutoff) {
    const cached = neighbourCache.get(cutoff);
    if (cached) return cached;
    const vol = Math.abs(A.dot(B.clone().cross(C)));
    // Images far enough in each direction: the cell's width along k is volume / |other two crossed|.
    const reach = [B.clone().cross(C), C.clone().cross(A), A.clone().cross(B)].map((n) => Math.ceil(cutoff / (vol / n.length())));
    /** @type {Vector3[]} */
    const shifts = [];
    for (let i = -reach[0]; i <= reach[0]; i++) for (let j = -reach[1]; j <= reach[1]; j++) for (let k = -reach[2]; k <= reach[2]; k++) shifts.push(fracToCart([i, j, k]));
    const c2 = cutoff * cutoff;
    const lists = data.atoms.map((a) => {
      const list = [];
      for (const b of data.atoms) {
        for (const t of shifts) {
          const v = new THREE.Vector3(b.cart[0] + t.x - a.cart[0], b.cart[1] + t.y - a.cart[1], b.cart[2] + t.z - a.cart[2]);
          const d2 = v.lengthSq();
          if (d2 > 1e-12 && d2 <= c2) list.push({ v, element: b.element });
        }
      }
      return list;
    });
    neighbourCache.set(cutoff, lists);
    return lists;
  }
  /** Bond vectors from atom i in the current mode. @param {number} i @returns {Vector3[]} */
  function bondVectors(i) {
    const a = atomOf(i);
    if (state.bondMode === 'cutoff') return neighboursWithin(state.bondCutoff)[i].map((n) => n.v);
    if (state.bondMode === 'pairs') {
      return neighboursWithin(longestPairCutoff)[i].filter((n) => n.v.length() <= (pairCutoff.get(pairKey(a.element, n.element)) ?? 0)).map((n) => n.v);
    }
    const env = envByAtom.get(i);
    return env ? env.shell.map((s) => new THREE.Vector3(s.cart[0] - a.cart[0], s.cart[1] - a.cart[1], s.cart[2] - a.cart[2])) : [];
  }
  function buildBonds() {
    disposeGroup(bondGroup);
    hooks.bonds = 0;
    if (!state.bonds) return requestRender();
    /** @type {Map<string, import('three').Matrix4[]>} */
    const byColour = new Map();
    const up = new THREE.Vector3(0, 1, 0);
    // Bonds join drawn atoms only (VESTA's default): no stubs towards atoms beyond the boundary.
    /** @param {Vector3} p */
    const where = (p) => `${Math.round(p.x * 500)} ${Math.round(p.y * 500)} ${Math.round(p.z * 500)}`;
    const drawn = new Set(atomMeshes.map((m) => where(m.position)));
    for (const m of atomMeshes) {
      const a = meshAtom(m);
      const colour = colorOf(a.element, a.label);
      const list = byColour.get(colour) ?? [];
      byColour.set(colour, list);
      for (const v of bondVectors(a.index)) {
        if (!drawn.has(where(m.position.clone().add(v)))) continue;
        const half = v.clone().multiplyScalar(0.5);
        list.push(new THREE.Matrix4().compose(m.position.clone().addScaledVector(half, 0.5), new THREE.Quaternion().setFromUnitVectors(up, half.clone().normalize()), new THREE.Vector3(0.11, half.length(), 0.11)));
      }
    }
    for (const [colour, mats] of byColour) {
      if (!mats.length) continue;
      const mesh = new THREE.InstancedMesh(bondGeo, materialFor(colour, faded ? fadedOpts : {}), mats.length);
      mats.forEach((x, k) => mesh.setMatrixAt(k, x));
      mesh.instanceMatrix.needsUpdate = true;
      bondGroup.add(mesh);
      hooks.bonds += mats.length;
    }
    requestRender();
  }
  /** The bond rule of the current mode, for the toolbar's tooltip. */
  function bondRuleText() {
    if (state.bondMode === 'aet') return 'bonds from each atom to its AET shell';
    if (state.bondMode === 'cutoff') return `bonds between atoms ≤ ${fmt(state.bondCutoff, 2)} Å apart`;
    const pairs = data.bonds.cutoffs.map((c) => `${c.a}–${c.b} ≤ ${fmt(c.cutoff, 2)} Å`).join(', ');
    return `bonds by element pair: ${data.bonds.rule}${pairs ? ` (${pairs})` : ''}`;
  }
  function setBondMode() {
    byId('bond-cutoff-box').hidden = state.bondMode !== 'cutoff';
    byId('bond-mode').title = bondRuleText();
    buildBonds();
  }

  // ---------- atom labels: element and site label of every drawn atom (of the polyhedron, while one is shown) ----------
  /** @returns {Label[]} */
  function atomLabels() {
    if (!state.atomLabels) return [];
    const shown = polyGroup.children.some((o) => o.userData.pick) ? polyGroup.children : atomGroup.children;
    return shown.flatMap((o) => {
      const p = /** @type {{ element: string, label: string } | undefined} */ (o.userData.pick);
      return p ? [{ text: `${p.element} ${p.label}`, pos: o.position, cls: 'atom', radius: o.scale.x, priority: 0 }] : [];
    });
  }

  function recolour() {
    for (const m of atomMeshes) m.material = cellAtomMaterial(meshAtom(m));
    buildBonds();
    if (hooks.selectedPolyhedron) drawPolyhedron(hooks.selectedPolyhedron.atom);
    if (hooks.selectedPair) drawPair();
    updateLegend();
    requestRender();
  }

  /** @param {boolean} on */
  function setFaded(on) {
    if (faded === on) return;
    faded = on;
    for (const m of atomMeshes) m.material = cellAtomMaterial(meshAtom(m));
    if (state.bonds) buildBonds();
  }
  const refreshFade = () => setFaded(Boolean(hooks.selectedPolyhedron || (hooks.selectedPair && hooks.selectedPair.drawn)));

  // ---------- legend: every element shown, substituents included ----------
  function updateLegend() {
    const pair = hooks.selectedPair;
    /** @type {string[]} */
    const subst = [];
    if (pair && pair.drawn) {
      if (pair.X && pair.X !== pair.hostA) subst.push(pair.X);
      if (pair.Y && pair.Y !== pair.hostB) subst.push(pair.Y);
    }
    const cellEntries =
      state.colorMode === 'label'
        ? [...new Set(data.atoms.map((a) => a.label))].map((l) => ({ name: l, colour: data.labelColors[l], subst: false }))
        : [...new Set(data.atoms.map((a) => a.element))].map((e) => ({ name: e, colour: colourOfElement(e), subst: false }));
    const names = new Set(cellEntries.map((e) => e.name));
    const extra = [...new Set(subst)].filter((e) => state.colorMode === 'label' || !names.has(e)).map((e) => ({ name: e, colour: colourOfElement(e), subst: true }));
    const entries = [...cellEntries, ...extra];
    byId('legend').innerHTML = entries
      .map((e) => `<span class="${e.subst ? 'subst' : ''}" data-name="${esc(e.name)}"><span class="sw" style="background:${e.colour}"></span>${esc(e.name)}${e.subst ? ' (substituent)' : ''}</span>`)
      .join('');
    hooks.legend = entries.map((e) => e.name);
  }

  // ---------- camera framing & controls ----------
  /** @type {InstanceType<OrbitControlsClass>} */
  let controls;
  function makeControls() {
    const target = controls ? controls.target.clone() : cellCentre.clone();
    if (controls) controls.dispose();
    // OrbitControls fixes its orbit axis from camera.up when constructed: a new view direction needs new controls.
    controls = new OrbitControls(camera, renderer.domElement);
    controls.enableDamping = false;
    controls.target.copy(target);
    controls.addEventListener('change', () => requestRender());
    controls.update();
  }

  /** What is drawn, as spheres (centre, radius): the cell's corners and every atom, polyhedron and pair sphere. */
  function drawnSpheres() {
    const out = CORNERS.map((f) => ({ p: fracToCart(f), r: 0 }));
    for (const g of [atomGroup, polyGroup, pairGroup, measureGroup]) {
      for (const o of g.children) if (o instanceof THREE.Mesh && o.geometry === sphereGeo) out.push({ p: o.position, r: o.scale.x });
    }
    return out;
  }

  /**
   * The view of everything drawn seen along `dir` with `up` upwards: its centre, and the camera
   * distance (perspective) and half-height (orthographic) that frame it between the overlays.
   * @param {Vector3} dir @param {Vector3} up
   */
  function frameFor(dir, up) {
    const d = dir.clone().normalize();
    const u = up.clone().normalize();
    const r = u.clone().cross(d).normalize();
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (const s of drawnSpheres()) {
      const v = s.p.clone().sub(cellCentre);
      [v.dot(r), v.dot(u), v.dot(d)].forEach((x, k) => {
        lo[k] = Math.min(lo[k], x - s.r);
        hi[k] = Math.max(hi[k], x + s.r);
      });
    }
    const centre = cellCentre.clone().addScaledVector(r, (lo[0] + hi[0]) / 2).addScaledVector(u, (lo[1] + hi[1]) / 2).addScaledVector(d, (lo[2] + hi[2]) / 2);
    const [halfW, halfH, depth] = [0, 1, 2].map((k) => (hi[k] - lo[k]) / 2);
    const tanV = Math.tan(THREE.MathUtils.degToRad(perspective.fov) / 2);
    const aspect = perspective.aspect || 1;
    // The toolbar and the legend cover part of the canvas: frame the drawing in the band between them.
    const { usable } = freeBand();
    const half = (Math.max(halfH, (halfW / aspect) * usable) * 1.06) / usable;
    return { centre, dist: half / tanV + depth, half };
  }

  /** The part of the canvas height left free by the overlays, and the shift that centres the view in it. */
  function freeBand() {
    const h = view.clientHeight || 1;
    const top = byId('tools').getBoundingClientRect().bottom - view.getBoundingClientRect().top + 4;
    const bottom = view.getBoundingClientRect().bottom - byId('bottom').getBoundingClientRect().top + 4;
    const free = Math.max(0.3 * h, h - Math.max(0, top) - Math.max(0, bottom));
    return { usable: free / h, shift: (Math.max(0, top) - Math.max(0, bottom)) / 2 };
  }

  /** Shift the projection so that the view's centre sits in the middle of the free band. */
  function applyViewOffset() {
    const w = renderer.domElement.clientWidth;
    const h = renderer.domElement.clientHeight;
    if (!w || !h) return;
    const { shift } = freeBand();
    for (const cam of [perspective, orthographic]) {
      cam.setViewOffset(w, h, 0, -shift, w, h);
      cam.updateProjectionMatrix();
    }
  }

  /** Orthographic frustum of half-height `half` (Å) at the current aspect ratio. @param {number} half */
  function fitOrtho(half) {
    const aspect = perspective.aspect || 1;
    orthographic.left = -half * aspect;
    orthographic.right = half * aspect;
    orthographic.top = half;
    orthographic.bottom = -half;
    orthographic.updateProjectionMatrix();
  }
  /** @param {number} dist */
  const orthoHalfAt = (dist) => dist * Math.tan(THREE.MathUtils.degToRad(perspective.fov) / 2);

  /**
   * Look along `dir` (unit vector from the drawing towards the camera) with `up` upwards, framing
   * everything drawn: the cell, and a polyhedron or pair that reaches beyond it.
   * @param {Vector3} dir @param {Vector3} up
   */
  function lookFrom(dir, up) {
    const { centre, dist, half } = frameFor(dir, up);
    for (const cam of [perspective, orthographic]) {
      cam.up.copy(up).normalize();
      cam.position.copy(centre).addScaledVector(dir.clone().normalize(), dist);
      cam.near = dist / 50;
      cam.far = dist * 20;
      cam.zoom = 1;
      cam.lookAt(centre);
      cam.updateProjectionMatrix();
    }
    fitOrtho(half);
    if (controls) controls.target.copy(centre);
    makeControls();
    requestRender();
  }

  function resetView() {
    // Oblique view with c up: the usual textbook perspective of a cell.
    const up = C.clone().normalize();
    const side = A.clone().normalize();
    const depth = up.clone().cross(side).normalize(); // roughly along b
    lookFrom(side.multiplyScalar(0.55).add(depth.multiplyScalar(-1.0)).add(up.clone().multiplyScalar(0.42)), up);
    hooks.view = 'reset';
  }

  /** The part of v perpendicular to the unit vector n (an "up" that is square to the line of sight). @param {Vector3} v @param {Vector3} n */
  const perpendicular = (v, n) => v.clone().addScaledVector(n, -v.dot(n));
  /** @param {string} axis */
  function viewAlong(axis) {
    const a = A.clone().normalize();
    const b = B.clone().normalize();
    const c = C.clone().normalize();
    /** @type {[Vector3, Vector3]} */
    let dirUp;
    if (axis === 'a') dirUp = [a, perpendicular(c, a)];
    else if (axis === 'b') dirUp = [b, perpendicular(c, b)];
    else if (axis === 'c') dirUp = [c, perpendicular(b, c)];
    else if (axis === 'c*') {
      const n = A.clone().cross(B).normalize();
      dirUp = [n, perpendicular(b, n)];
    } else throw new Error('unknown view axis ' + axis);
    lookFrom(...dirUp);
    hooks.view = axis;
  }

  /** @param {boolean} on */
  function setOrtho(on) {
    state.ortho = on;
    inputById('ortho').checked = on;
    const next = on ? orthographic : perspective;
    if (next === camera) return;
    // Keep the view: same direction, orientation and apparent size at the target (an orthographic
    // zoom becomes a perspective distance and back).
    const dist = camera.position.distanceTo(controls.target) / (camera instanceof THREE.OrthographicCamera ? camera.zoom : 1);
    next.position.copy(controls.target).addScaledVector(camera.position.clone().sub(controls.target).normalize(), dist);
    next.up.copy(camera.up);
    next.quaternion.copy(camera.quaternion);
    if (on) {
      fitOrtho(orthoHalfAt(dist));
      orthographic.zoom = 1;
    }
    next.near = camera.near;
    next.far = camera.far;
    next.updateProjectionMatrix();
    next.add(key);
    camera = next;
    makeControls();
    requestRender();
  }

  function resize() {
    const w = view.clientWidth;
    const h = view.clientHeight;
    if (!w || !h) return;
    renderer.setSize(w, h, false);
    perspective.aspect = w / h;
    applyViewOffset();
    // Keep the orthographic half-height; only the aspect ratio changes.
    if (controls) fitOrtho(orthographic.top);
    requestRender();
  }
  new ResizeObserver(() => resize()).observe(view);

  let pending = false;
  function requestRender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      renderNow();
    });
  }
  function renderNow() {
    renderer.render(scene, camera);
    labelSets.set('atoms', atomLabels());
    placeLabels();
    hooks.renderCount++;
  }

  // ---------- picking ----------
  const raycaster = new THREE.Raycaster();
  /** The front-most pickable sphere under a page point, among `objects`. @param {number} clientX @param {number} clientY @param {import('three').Object3D[]} objects */
  function sphereAt(clientX, clientY, objects) {
    const r = renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(((clientX - r.left) / r.width) * 2 - 1, -((clientY - r.top) / r.height) * 2 + 1);
    raycaster.setFromCamera(ndc, camera);
    const hit = raycaster.intersectObjects(objects, false).find((h) => h.object.userData.pick);
    return hit ? /** @type {Mesh} */ (hit.object) : null;
  }
  /** Index of the cell atom drawn under a page point, or null. @param {number} clientX @param {number} clientY */
  function atomAt(clientX, clientY) {
    const m = sphereAt(clientX, clientY, atomMeshes);
    return m ? /** @type {number} */ (m.userData.index) : null;
  }
  /** @type {{ x: number, y: number } | null} */
  let down = null;
  renderer.domElement.addEventListener('pointerdown', (e) => {
    down = { x: e.clientX, y: e.clientY };
  });
  renderer.domElement.addEventListener('pointerup', (e) => {
    if (!down || e.button !== 0) return;
    const moved = Math.hypot(e.clientX - down.x, e.clientY - down.y);
    down = null;
    if (moved > 4) return; // that was an orbit drag, not a click
    if (state.measuring) {
      // Any sphere drawn: cell atoms and their images, polyhedron and pair atoms, where they are drawn.
      const m = sphereAt(e.clientX, e.clientY, [...atomGroup.children, ...polyGroup.children, ...pairGroup.children]);
      if (m) addMeasurePick(m);
      return;
    }
    const i = atomAt(e.clientX, e.clientY);
    if (i === null) clearPolyhedron();
    else selectAtom(i);
  });
  const tooltip = byId('tooltip');
  const hideTooltip = () => {
    tooltip.style.display = 'none';
  };
  renderer.domElement.addEventListener('pointermove', (e) => {
    if (e.buttons) return;
    const i = atomAt(e.clientX, e.clientY);
    if (i === null) return hideTooltip();
    const a = atomOf(i);
    const env = envByAtom.get(i);
    const r = view.getBoundingClientRect();
    tooltip.textContent = `${a.element} · ${a.label}${env ? ` (${env.wyckoff}, CN ${env.cn})` : ''} · atom ${a.index}`;
    tooltip.style.left = e.clientX - r.left + 14 + 'px';
    tooltip.style.top = e.clientY - r.top + 10 + 'px';
    tooltip.style.display = 'block';
  });
  renderer.domElement.addEventListener('pointerleave', hideTooltip);

  // ---------- distance and angle: click 2 atoms for their distance, 3 for the angle at the middle one ----------
  const measureGroup = new THREE.Group();
  scene.add(measureGroup);
  const measureMat = new THREE.MeshBasicMaterial({ color: 0xc020c0, side: THREE.BackSide });
  const measureLineMat = new THREE.LineDashedMaterial({ color: 0x9a1a9a, dashSize: 0.18, gapSize: 0.1 });
  /** @type {{ pick: MeasurePick, radius: number }[]} */
  let picks = [];

  /** @param {Mesh} m */
  function addMeasurePick(m) {
    if (picks.length >= 3) picks = [];
    const p = /** @type {{ element: string, label: string, atom: number | null }} */ (m.userData.pick);
    picks.push({ pick: { ...p, position: /** @type {V3} */ (m.position.toArray()) }, radius: m.scale.x });
    drawMeasurement();
    return hooks.measure;
  }

  function drawMeasurement() {
    disposeGroup(measureGroup);
    labelSets.delete('measure');
    const pts = picks.map((p) => vec(p.pick.position));
    const distances = pts.slice(1).map((p, k) => p.distanceTo(pts[k]));
    const angle = pts.length === 3 ? THREE.MathUtils.radToDeg(pts[0].clone().sub(pts[1]).angleTo(pts[2].clone().sub(pts[1]))) : null;
    hooks.measure = { picks: picks.map((p) => p.pick), distances, angle };
    /** @type {Label[]} */
    const labels = [];
    picks.forEach((p, k) => {
      const ring = new THREE.Mesh(sphereGeo, measureMat);
      ring.position.copy(pts[k]);
      ring.scale.setScalar(p.radius * 1.25);
      measureGroup.add(ring);
    });
    distances.forEach((d, k) => {
      const line = new THREE.Line(new THREE.BufferGeometry().setFromPoints([pts[k], pts[k + 1]]), measureLineMat);
      line.computeLineDistances();
      measureGroup.add(line);
      labels.push({ text: `${fmt(d, 3)} Å`, pos: pts[k].clone().add(pts[k + 1]).multiplyScalar(0.5), cls: 'measure', radius: 0, priority: 4 });
    });
    if (angle !== null) labels.push({ text: `${fmt(angle, 1)}°`, pos: pts[1], cls: 'measure', radius: picks[1].radius * 1.25, priority: 5 });
    labelSets.set('measure', labels);
    const out = byId('measure-out');
    const name = (/** @type {MeasurePick} */ p) => `${p.element} (${p.label})`;
    const ps = hooks.measure.picks;
    out.hidden = !state.measuring;
    out.textContent = !ps.length
      ? 'measure: click 2 atoms for their distance, 3 for the angle at the middle one'
      : [
          ps.map(name).join(' – '),
          ...distances.map((d) => `${fmt(d, 3)} Å`),
          ...(angle !== null ? [`angle ${ps.map((p) => p.element).join('–')} ${fmt(angle, 1)}°`] : []),
        ].join(' · ');
    requestRender();
  }

  /** @param {boolean} on */
  function setMeasuring(on) {
    state.measuring = on;
    inputById('measure').checked = on;
    picks = [];
    drawMeasurement();
    renderer.domElement.style.cursor = on ? 'crosshair' : '';
  }

  // ---------- coordination polyhedron ----------
  const polyGroup = new THREE.Group();
  scene.add(polyGroup);
  const glowMat = new THREE.MeshBasicMaterial({ color: 0xffc400, side: THREE.BackSide });

  function clearPolyhedron() {
    disposeGroup(polyGroup);
    hooks.selectedPolyhedron = null;
    refreshFade();
    byId('env-body').innerHTML = '<p class="empty">Click an atom to show its coordination polyhedron.</p>';
    requestRender();
  }

  /** @param {number} i */
  function drawPolyhedron(i) {
    disposeGroup(polyGroup);
    const a = atomOf(i);
    const env = envByAtom.get(i);
    const centre = vec(a.cart);
    // The centre atom, opaque again on top of the faded cell, with a gold rim.
    const core = pickable(new THREE.Mesh(sphereGeo, materialFor(colorOf(a.element, a.label))), a.element, a.label, a.index);
    core.position.copy(centre);
    core.scale.setScalar(a.radius * state.atomScale);
    polyGroup.add(core);
    const glow = new THREE.Mesh(sphereGeo, glowMat);
    glow.position.copy(centre);
    glow.scale.setScalar(a.radius * state.atomScale * 1.18);
    polyGroup.add(glow);
    if (!env) return { faces: [], vertices: 0 };
    const pts = env.shell.map((s) => vec(s.cart));
    // Faces: translucent fill (fan-triangulated polygons) and crisp polygon edges.
    if (env.faces.length) {
      const pos = [];
      for (const f of env.faces) for (let k = 1; k + 1 < f.length; k++) for (const v of [f[0], f[k], f[k + 1]]) pos.push(pts[v].x, pts[v].y, pts[v].z);
      const geo = new THREE.BufferGeometry();
      geo.setAttribute('position', new THREE.Float32BufferAttribute(pos, 3));
      geo.computeVertexNormals();
      const fill = new THREE.Mesh(
        geo,
        new THREE.MeshPhongMaterial({ color: new THREE.Color(colorOf(a.element, a.label)), transparent: true, opacity: 0.38, side: THREE.DoubleSide, depthWrite: false, shininess: 20 }),
      );
      fill.renderOrder = 2;
      polyGroup.add(fill);
      const seen = new Set();
      const epts = [];
      for (const f of env.faces) {
        for (let k = 0; k < f.length; k++) {
          const u = f[k];
          const v = f[(k + 1) % f.length];
          const kk = u < v ? u + ',' + v : v + ',' + u;
          if (seen.has(kk)) continue;
          seen.add(kk);
          epts.push(pts[u], pts[v]);
        }
      }
      polyGroup.add(new THREE.LineSegments(new THREE.BufferGeometry().setFromPoints(epts), new THREE.LineBasicMaterial({ color: 0x303030 })));
    }
    // Shell atoms (some lie outside the cell) and thin centre–neighbour lines.
    /** @type {Vector3[]} */
    const spokes = [];
    env.shell.forEach((s, k) => {
      const m = pickable(new THREE.Mesh(sphereGeo, materialFor(colorOf(s.element, s.label))), s.element, s.label, null);
      m.position.copy(pts[k]);
      m.scale.setScalar(radiusOf(s.element) * state.atomScale * 1.02);
      polyGroup.add(m);
      spokes.push(centre, pts[k]);
    });
    polyGroup.add(new THREE.LineSegments(new THREE.BufferGeometry().setFromPoints(spokes), new THREE.LineBasicMaterial({ color: 0x9a9a9a, transparent: true, opacity: 0.7 })));
    return { faces: env.faces, vertices: pts.length };
  }

  /** @param {number} i */
  function selectAtom(i) {
    const a = atomOf(i);
    setFaded(true);
    const drawn = drawPolyhedron(i);
    hooks.selectedPolyhedron = { atom: i, label: a.label, faces: drawn.faces.map((f) => f.slice()), vertices: drawn.vertices };
    showEnvironment(a, envByAtom.get(i));
    requestRender();
    return hooks.selectedPolyhedron;
  }

  /** @param {Atom} a @param {Environment | undefined} env */
  function showEnvironment(a, env) {
    const body = byId('env-body');
    if (!env) {
      body.innerHTML = `<p class="empty">${esc(a.element)} (${esc(a.label)}, atom ${a.index}): no environment computed for this atom.</p>`;
      return;
    }
    const counts = new Map();
    for (const s of env.shell) counts.set(s.label, (counts.get(s.label) || 0) + 1);
    const shellText = [...counts].map(([l, n]) => `${n} ${esc(l)}`).join(', ');
    const dists = env.shell.map((s) => s.distance);
    const ideal = env.ideal ? `${esc(env.ideal.name)} <span class="empty">(${codeHtml(env.ideal.code)}), deviation S = ${fmt(env.ideal.deviation, 3)}</span>` : '—';
    body.innerHTML = `
      <table class="kv" data-testid="env-table">
        <tr><th>Site</th><td><b>${esc(env.label)}</b> — ${esc(a.element)}, atom ${a.index}</td></tr>
        <tr><th>Wyckoff</th><td>${esc(env.wyckoff)}</td></tr>
        <tr><th>CN</th><td data-testid="env-cn">${env.cn}</td></tr>
        <tr><th>Topological code</th><td data-testid="env-code">${codeHtml(env.code)}</td></tr>
        <tr><th>Nearest ideal</th><td>${ideal}</td></tr>
        <tr><th>Volume</th><td>${fmt(env.volume, 2)} Å³</td></tr>
        <tr><th>d<sub>min</sub></th><td>${fmt(env.dmin, 3)} Å${dists.length ? ` (shell ${fmt(Math.min(...dists), 2)}–${fmt(Math.max(...dists), 2)} Å)` : ''}</td></tr>
      </table>
      <div class="shell-list">Shell: ${shellText || '—'}; ${env.faces.length} faces</div>
      <div class="nnh" data-testid="env-nnh">${data.nnhCharts[env.nnh] || ''}</div>`;
  }

  // ---------- substitution pairs ----------
  const pairById = new Map((data.pairs || []).map((p) => [p.id, p]));
  const predictions = data.predictions || [];
  const reference = data.reference || [];
  const hasEnergies = predictions.length > 0 || reference.length > 0;
  const configIds = [...new Set([...(data.pairs || []).map((p) => p.id), ...predictions.map((p) => p.config), ...reference.map((p) => p.config)])].sort((x, y) => x - y);
  const pairGroup = new THREE.Group();
  scene.add(pairGroup);
  const substBody = byId('subst-body');
  /** @param {string} site */
  const hostOf = (site) => data.hosts[site];

  /** @param {number} id */
  function configInfo(id) {
    const p = pairById.get(id);
    if (p) return { site_a: p.site_a, site_b: p.site_b, distance: p.distance };
    const q = predictions.find((r) => r.config === id) || reference.find((r) => r.config === id);
    return q ? { site_a: q.site_a, site_b: q.site_b, distance: q.distance ?? NaN } : { site_a: '?', site_b: '?', distance: NaN };
  }

  if (!configIds.length) {
    substBody.innerHTML = '<p class="empty">No substitution pairs in this run.</p>';
  } else {
    substBody.innerHTML = `
      <div class="subst-grid">
        <label for="sel-config">Pair</label><select id="sel-config" data-testid="select-config">${configIds
          .map((id) => {
            const c = configInfo(id);
            return `<option value="${id}">#${id}: ${esc(c.site_a)}–${esc(c.site_b)}, d = ${fmt(c.distance, 3)} Å</option>`;
          })
          .join('')}</select>
        <label for="sel-x" id="lab-x">X on a</label><select id="sel-x" data-testid="select-x"></select>
        <label for="sel-y" id="lab-y">Y on b</label><select id="sel-y" data-testid="select-y"></select>
      </div>
      <div class="prediction" id="prediction" data-testid="prediction"></div>
      <div class="export">Download the displayed cell: <button type="button" id="export-cif" data-testid="export-cif" title="P1 CIF of the cell shown, with the chosen substitution">CIF</button><button type="button" id="export-poscar" data-testid="export-poscar" title="VASP POSCAR of the cell shown, with the chosen substitution">POSCAR</button><span id="export-note" class="empty"></span></div>`;
    byId('sel-config').addEventListener('change', () => onSelectChange(true));
    byId('sel-x').addEventListener('change', () => onSelectChange(false));
    byId('sel-y').addEventListener('change', () => onSelectChange(false));
    byId('export-cif').addEventListener('click', () => exportCell('cif'));
    byId('export-poscar').addEventListener('click', () => exportCell('poscar'));
    showPrompt();
  }

  function showPrompt() {
    const box = byId('prediction');
    box.className = 'prediction';
    box.innerHTML = hasEnergies
      ? 'Choose a pair and the elements X and Y, or click a heatmap cell.'
      : 'Choose a pair and the elements X and Y: the pair is drawn and its cell can be downloaded. (No energies were given to this viewer.)';
  }

  /** Elements with an energy for this pair on end a (X) or b (Y). @param {number} config @param {'a' | 'b'} end */
  function energyElements(config, end) {
    return new Set([...predictions, ...reference].filter((p) => p.config === config).map((p) => (end === 'a' ? p.element_a : p.element_b)));
  }

  /** @param {number} config @param {string} [X] @param {string} [Y] */
  function fillElementSelects(config, X, Y) {
    const c = configInfo(config);
    byId('lab-x').textContent = `X on ${c.site_a}`;
    byId('lab-y').textContent = `Y on ${c.site_b}`;
    /** @param {HTMLSelectElement} sel @param {'a' | 'b'} end @param {string | undefined} host @param {string | undefined} want */
    const fill = (sel, end, host, want) => {
      const keep = want ?? sel.value;
      const withEnergy = energyElements(config, end);
      const first = data.elementChoices.filter((e) => withEnergy.has(e));
      const rest = data.elementChoices.filter((e) => !withEnergy.has(e));
      /** @param {string} e */
      const opt = (e) => `<option value="${esc(e)}">${esc(e)}${e === host ? ' — host (unsubstituted)' : ''}</option>`;
      sel.innerHTML =
        `<option value="">choose ${end === 'a' ? 'X' : 'Y'}…</option>` +
        (first.length ? `<optgroup label="with energies for pair #${config}">${first.map(opt).join('')}</optgroup>` : '') +
        `<optgroup label="${first.length ? 'other elements (no energy)' : 'any element'}">${rest.map(opt).join('')}</optgroup>`;
      sel.value = keep && data.elementChoices.includes(keep) ? keep : '';
    };
    fill(selectById('sel-x'), 'a', hostOf(c.site_a), X);
    fill(selectById('sel-y'), 'b', hostOf(c.site_b), Y);
  }

  /** @param {boolean} configChanged */
  function onSelectChange(configChanged) {
    const config = Number(selectById('sel-config').value);
    if (configChanged) fillElementSelects(config);
    selectPair(config, selectById('sel-x').value || null, selectById('sel-y').value || null);
  }

  /** @param {string} label @param {number} value @param {string} extra @param {string} testid */
  function energyLine(label, value, extra, testid) {
    return `<div><span class="src">${label}</span> <span class="eds" data-testid="${testid}" data-value="${value}">${fmt(value, 3)} eV</span>${extra}</div>`;
  }

  /**
   * What an energy says, as the screening says it: with a predictive distribution "stabilising"
   * means P(E_DS < 0) ≥ data.stabilisingProbability (destabilising: P(E_DS > 0) ≥ it; in between the
   * sign is not settled); a value without one (DFT, a point prediction) is taken at its sign.
   * @param {number} value @param {number | undefined} p P(E_DS < 0), when known
   * @returns {{ text: string, sign: -1 | 0 | 1 }}
   */
  function verdict(value, p) {
    const q = data.stabilisingProbability;
    if (p !== undefined && p !== null) {
      const odds = `P(E_DS < 0) = ${fmt(p, 2)}`;
      if (p >= q) return { text: `stabilising (${odds})`, sign: -1 };
      if (1 - p >= q) return { text: `destabilising (${odds})`, sign: 1 };
      return { text: `sign not settled (${odds})`, sign: 0 };
    }
    return value < 0 ? { text: 'stabilising', sign: -1 } : value > 0 ? { text: 'destabilising', sign: 1 } : { text: 'neutral', sign: 0 };
  }

  /** @param {number} config @param {string | null} [X] @param {string | null} [Y] */
  function selectPair(config, X, Y) {
    config = Number(config);
    if (!configIds.includes(config)) throw new Error('unknown pair config ' + config);
    // A new selection replaces the old one: no stale polyhedron, tooltip or labels.
    disposeGroup(polyGroup);
    hooks.selectedPolyhedron = null;
    byId('env-body').innerHTML = '<p class="empty">Click an atom to show its coordination polyhedron.</p>';
    hideTooltip();
    selectById('sel-config').value = String(config);
    fillElementSelects(config, X ?? '', Y ?? '');
    X = X || null;
    Y = Y || null;
    const c = configInfo(config);
    const pair = pairById.get(config);
    const hostA = hostOf(c.site_a);
    const hostB = hostOf(c.site_b);
    const pred = X && Y ? predictions.find((p) => p.config === config && p.element_a === X && p.element_b === Y) : undefined;
    const ref = X && Y ? reference.find((p) => p.config === config && p.element_a === X && p.element_b === Y) : undefined;
    hooks.selectedPair = { config, X, Y, atom_a: pair ? pair.atom_a : null, atom_b: pair ? pair.atom_b : null, hostA, hostB, drawn: Boolean(pair) };
    hooks.lastPrediction = pred && X && Y ? { config, X, Y, eds: pred.eds_pred } : null;
    hooks.lastReference = ref && X && Y ? { config, X, Y, eds: ref.eds } : null;
    const box = byId('prediction');
    const where = `pair #${config}, d = ${fmt(c.distance, 3)} Å${pair ? ` · atoms ${pair.atom_a} and ${pair.atom_b}` : ''}`;
    if (!X || !Y) {
      box.className = 'prediction';
      box.innerHTML = `<div class="what">${esc(c.site_a)}–${esc(c.site_b)} (${where})</div><div class="sub">Choose ${X ? '' : 'X'}${!X && !Y ? ' and ' : ''}${Y ? '' : 'Y'} to substitute; the two sites are ringed in the view.</div>`;
    } else {
      // DFT is the value of record where there is one; the prediction's distribution otherwise.
      const said = ref ? verdict(ref.eds, undefined) : pred ? verdict(pred.eds_pred, pred.p_stabilising) : null;
      box.className = 'prediction' + (said ? (said.sign < 0 ? ' neg' : said.sign > 0 ? ' pos' : '') : '');
      const lines = [`<div class="what" data-testid="subst-text">${esc(substitutionText(X, c.site_a, Y, c.site_b, hostA, hostB))}</div>`];
      if (pred) {
        const iv = pred.eds_lo !== undefined && pred.eds_lo !== null && pred.eds_hi !== undefined && pred.eds_hi !== null ? ` <span class="sub" data-testid="eds-interval">${intervalText(pred.eds_lo, pred.eds_hi)} eV, 90 % interval</span>` : '';
        lines.push(energyLine('predicted', pred.eds_pred, iv, 'eds-value'));
      }
      if (ref) lines.push(energyLine('DFT', ref.eds, '', pred ? 'eds-dft' : 'eds-value'));
      if (pred && ref) lines.push(`<div class="sub">predicted − DFT = ${fmt(pred.eds_pred - ref.eds, 3)} eV</div>`);
      if (!pred && !ref) lines.push(`<div>${hasEnergies ? 'No energy for this substitution in the data given.' : 'No energies were given to this viewer.'}</div>`);
      if (said) {
        const flags = [pred && pred.unseen ? 'an element never seen in training' : '', pred && pred.out_of_domain ? 'outside the applicability domain' : ''].filter(Boolean);
        lines.push(`<div class="sub" data-testid="verdict">${esc(said.text)}${ref ? ' (DFT)' : ''} · ${where}${flags.length ? ` · ${flags.join(', ')}` : ''}</div>`);
      } else lines.push(`<div class="sub">${where}</div>`);
      box.innerHTML = lines.join('');
    }
    byId('export-note').textContent = '';
    drawPair();
    refreshFade();
    markHeatmapCell(config, X, Y);
    updateLegend();
    requestRender();
    return hooks.lastPrediction;
  }

  function drawPair() {
    disposeGroup(pairGroup);
    labelSets.delete('pair');
    const sel = hooks.selectedPair;
    const pair = sel && pairById.get(sel.config);
    if (!sel || !pair) return;
    const a = atomOf(pair.atom_a);
    const b = atomOf(pair.atom_b);
    const pa = vec(a.cart);
    const pb = vec(pair.cart_b);
    /** @type {Label[]} */
    const labels = [];
    // The substituted atoms take the colours of X and Y, ringed in gold; an unchosen or host end keeps its element.
    /** @type {[Vector3, string | null, Atom, string][]} */
    const ends = [[pa, sel.X, a, pair.site_a], [pb, sel.Y, b, pair.site_b]];
    for (const [p, el, host, site] of ends) {
      const shown = el || host.element;
      const r = radiusOf(shown) * state.atomScale * 1.12;
      const s = pickable(new THREE.Mesh(sphereGeo, materialFor(colourOfElement(shown))), shown, site, null);
      s.position.copy(p);
      s.scale.setScalar(r);
      pairGroup.add(s);
      const g = new THREE.Mesh(sphereGeo, glowMat);
      g.position.copy(p);
      g.scale.setScalar(r * 1.18);
      pairGroup.add(g);
      const substituted = el && el !== host.element;
      labels.push({ text: substituted ? `${el}@${site}` : `${host.element} (${site}, host)`, pos: p, cls: substituted ? 'subst' : 'host', radius: r * 1.18, priority: 3 });
    }
    // Bond between a and the nearest image of b, with its length.
    const len = pa.distanceTo(pb);
    const rod = new THREE.Mesh(new THREE.CylinderGeometry(0.09, 0.09, len, 16), materialFor('#e0a800'));
    rod.position.copy(pa).add(pb).multiplyScalar(0.5);
    rod.quaternion.setFromUnitVectors(new THREE.Vector3(0, 1, 0), pb.clone().sub(pa).normalize());
    pairGroup.add(rod);
    labels.push({ text: fmt(pair.distance, 2) + ' Å', pos: rod.position.clone(), cls: 'dist', radius: 0, priority: 2 });
    labelSets.set('pair', labels);
  }

  function clearPair() {
    disposeGroup(pairGroup);
    labelSets.delete('pair');
    hooks.selectedPair = null;
    hooks.lastPrediction = null;
    hooks.lastReference = null;
    if (configIds.length) {
      fillElementSelects(Number(selectById('sel-config').value));
      selectById('sel-x').value = '';
      selectById('sel-y').value = '';
      showPrompt();
    }
    markHeatmapCell(-1, null, null);
    updateLegend();
  }

  /** @param {number} config @param {string | null} X @param {string | null} Y */
  function markHeatmapCell(config, X, Y) {
    for (const el of document.querySelectorAll('figure.hm rect.cell.selected')) el.classList.remove('selected');
    for (const f of document.querySelectorAll('figure.hm')) f.classList.toggle('current', Number(/** @type {HTMLElement} */ (f).dataset.config) === config);
    for (const el of document.querySelectorAll(`figure.hm[data-config="${config}"] rect.cell`)) {
      if (el.getAttribute('data-row') === X && el.getAttribute('data-col') === Y) el.classList.add('selected');
    }
  }

  // Heatmap cells: rows are X on the first site, columns Y on the second.
  byId('heatmaps').addEventListener('click', (e) => {
    const target = /** @type {Element} */ (e.target);
    const cell = target.closest('rect.cell');
    const fig = /** @type {HTMLElement | null} */ (target.closest('figure.hm'));
    if (!cell || !fig || !configIds.includes(Number(fig.dataset.config))) return;
    selectPair(Number(fig.dataset.config), cell.getAttribute('data-row'), cell.getAttribute('data-col'));
  });

  // ---------- downloads: the displayed cell as CIF/POSCAR, the view as PNG ----------
  function latticeParameters() {
    if (data.cellParameters) return data.cellParameters;
    /** @param {Vector3} u @param {Vector3} v */
    const ang = (u, v) => THREE.MathUtils.radToDeg(u.angleTo(v));
    return { a: A.length(), b: B.length(), c: C.length(), alpha: ang(B, C), beta: ang(A, C), gamma: ang(A, B), volume: Math.abs(A.dot(B.clone().cross(C))) };
  }

  /** The cell as shown: every atom, with X on atom a and Y on atom b of the chosen pair. */
  function displayedCell() {
    const sites = data.atoms.map((a) => ({ element: a.element, label: a.label, frac: a.frac ?? toFrac(a.cart) }));
    const sel = hooks.selectedPair;
    let title = data.title;
    if (sel && sel.atom_a !== null && sel.atom_b !== null && (sel.X || sel.Y)) {
      const X = sel.X || sites[sel.atom_a].element;
      const Y = sel.Y || sites[sel.atom_b].element;
      if (sel.atom_a === sel.atom_b && X !== Y) {
        throw new Error(`pair #${sel.config} joins an atom to its own periodic image: this cell cannot hold ${X} and ${Y} on it; use a supercell (view --supercell)`);
      }
      sites[sel.atom_a].element = X;
      sites[sel.atom_b].element = Y;
      const c = configInfo(sel.config);
      title = `${data.title} ${substitutionText(X, c.site_a, Y, c.site_b, sel.hostA, sel.hostB)} (pair ${sel.config})`;
    }
    return { title, lattice: latticeParameters(), matrix: data.lattice, sites };
  }

  /** @param {'cif' | 'poscar'} format */
  function exportCell(format) {
    let cell;
    try {
      cell = displayedCell();
    } catch (e) {
      byId('export-note').textContent = messageOf(e);
      hooks.lastExport = { format, error: messageOf(e) };
      return hooks.lastExport;
    }
    const text = format === 'cif' ? cifText(cell) : poscarText(cell);
    const name = fileStem(cell.title, 'cescreen-cell') + (format === 'cif' ? '.cif' : '.vasp');
    save(new Blob([text], { type: 'text/plain' }), name);
    byId('export-note').textContent = `saved ${name}`;
    hooks.lastExport = { format, name, text };
    return hooks.lastExport;
  }

  /** PNG of the view at twice the screen resolution, labels and legend drawn in. */
  async function snapshot(scale = 2) {
    const w = renderer.domElement.clientWidth;
    const h = renderer.domElement.clientHeight;
    const ratio = renderer.getPixelRatio();
    renderer.setPixelRatio(scale);
    renderer.setSize(w, h, false);
    renderNow();
    const out = document.createElement('canvas');
    out.width = Math.round(w * scale);
    out.height = Math.round(h * scale);
    const g = out.getContext('2d');
    if (!g) throw new Error('no 2D canvas for the snapshot');
    g.drawImage(renderer.domElement, 0, 0, out.width, out.height);
    renderer.setPixelRatio(ratio);
    renderer.setSize(w, h, false);
    renderNow();
    g.scale(scale, scale);
    const base = view.getBoundingClientRect();
    // The HTML labels and the legend, as the page shows them.
    for (const el of labelLayer.children) drawBox(g, /** @type {HTMLElement} */ (el), base);
    const legend = byId('legend');
    drawBox(
      g,
      legend,
      base,
      [...legend.children].map((s) => ({ text: s.textContent ?? '', colour: /** @type {HTMLElement | null} */ (s.querySelector('.sw'))?.style.background ?? '#999' })),
    );
    const blob = await new Promise((resolve) => out.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the browser made no PNG');
    let title = data.title;
    try {
      title = displayedCell().title;
    } catch {
      // a pair this cell cannot hold: name the picture after the structure
    }
    const name = fileStem(title, 'cescreen-view') + '.png';
    save(blob, name);
    hooks.lastSnapshot = { name, width: out.width, height: out.height, bytes: blob.size };
    return hooks.lastSnapshot;
  }

  /**
   * @param {CanvasRenderingContext2D} g @param {HTMLElement} el @param {DOMRect} base
   * @param {{ text: string, colour: string }[]} [swatches]
   */
  function drawBox(g, el, base, swatches) {
    const r = el.getBoundingClientRect();
    if (!r.width) return;
    const cs = getComputedStyle(el);
    const x = r.left - base.left;
    const y = r.top - base.top;
    if (cs.backgroundColor && cs.backgroundColor !== 'rgba(0, 0, 0, 0)') {
      g.fillStyle = cs.backgroundColor;
      g.fillRect(x, y, r.width, r.height);
    }
    g.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    g.textBaseline = 'middle';
    if (!swatches) {
      g.fillStyle = cs.color;
      g.textAlign = 'center';
      g.fillText(el.textContent ?? '', x + r.width / 2, y + r.height / 2);
      return;
    }
    g.textAlign = 'left';
    for (const [k, child] of [...el.children].entries()) {
      const cr = child.getBoundingClientRect();
      const cx = cr.left - base.left;
      const cy = cr.top - base.top + cr.height / 2;
      g.fillStyle = swatches[k].colour;
      g.beginPath();
      g.arc(cx + 6, cy, 5.5, 0, 2 * Math.PI);
      g.fill();
      g.strokeStyle = '#777';
      g.stroke();
      g.fillStyle = cs.color;
      g.fillText(swatches[k].text, cx + 15, cy);
    }
  }

  // ---------- tools ----------
  /** @param {string} id @param {(el: HTMLInputElement) => void} f */
  const onChange = (id, f) => inputById(id).addEventListener('change', () => f(inputById(id)));
  onChange('by-label', (el) => setColorMode(el.checked ? 'label' : 'element'));
  onChange('images', (el) => setImages(el.checked));
  onChange('bonds', (el) => setBonds(el.checked));
  selectById('bond-mode').addEventListener('change', () => setBonds(state.bonds, /** @type {BondMode} */ (selectById('bond-mode').value)));
  inputById('bond-cutoff').addEventListener('input', () => {
    const v = Number(inputById('bond-cutoff').value);
    if (v > 0.3 && v <= 8) setBonds(state.bonds, state.bondMode, v);
  });
  onChange('atom-labels', (el) => setAtomLabels(el.checked));
  onChange('measure', (el) => setMeasuring(el.checked));
  inputById('atom-size').addEventListener('input', () => setAtomScale(Number(inputById('atom-size').value)));
  onChange('ortho', (el) => setOrtho(el.checked));
  for (const b of document.querySelectorAll('#tools button[data-view]')) b.addEventListener('click', () => viewAlong(/** @type {HTMLElement} */ (b).dataset.view ?? ''));
  byId('reset-view').addEventListener('click', () => resetView());
  byId('snapshot').addEventListener('click', () => snapshot());
  byId('clear-sel').addEventListener('click', () => clearSelection());
  window.addEventListener('keydown', (e) => {
    const t = /** @type {HTMLElement | null} */ (e.target);
    if (t && /^(SELECT|INPUT|TEXTAREA)$/.test(t.tagName)) return;
    if (e.key === 'Escape') clearSelection();
    if (e.key === 'r' || e.key === 'R') resetView();
    if (e.key === 'm' || e.key === 'M') setMeasuring(!state.measuring);
  });

  /** @param {'element' | 'label'} mode */
  function setColorMode(mode) {
    inputById('by-label').checked = mode === 'label';
    state.colorMode = mode;
    recolour();
  }

  /** @param {boolean} on @param {BondMode} [mode] @param {number} [cutoff] */
  function setBonds(on, mode, cutoff) {
    inputById('bonds').checked = on;
    state.bonds = on;
    if (mode) state.bondMode = /** @type {BondMode} */ (selectById('bond-mode').value = mode);
    if (cutoff) state.bondCutoff = Number((inputById('bond-cutoff').value = String(cutoff)));
    setBondMode();
    return hooks.bonds;
  }

  /** @param {boolean} on */
  function setImages(on) {
    inputById('images').checked = on;
    state.images = on;
    buildAtoms();
    requestRender();
    return hooks.drawnAtoms;
  }

  /** @param {boolean} on */
  function setAtomLabels(on) {
    inputById('atom-labels').checked = on;
    state.atomLabels = on;
    requestRender();
  }

  /** @param {number} s */
  function setAtomScale(s) {
    state.atomScale = s;
    for (const m of atomMeshes) m.scale.setScalar(meshAtom(m).radius * s);
    if (hooks.selectedPolyhedron) drawPolyhedron(hooks.selectedPolyhedron.atom);
    if (hooks.selectedPair) drawPair();
    requestRender();
  }

  function clearSelection() {
    clearPolyhedron();
    clearPair();
    refreshFade();
    hideTooltip();
    picks = [];
    drawMeasurement();
    requestRender();
  }

  // ---------- test hooks ----------
  Object.assign(hooks, {
    selectAtom,
    clearSelection,
    selectPair,
    viewAlong,
    setOrtho,
    setAtomScale,
    exportCell,
    snapshot,
    setColorMode,
    setBonds,
    setImages,
    setAtomLabels,
    setMeasuring,
    /** Measure through the page's own path: pick the sphere drawn at a page point, as a click does. */
    measureAt: (/** @type {number} */ x, /** @type {number} */ y) => {
      const m = sphereAt(x, y, [...atomGroup.children, ...polyGroup.children, ...pairGroup.children]);
      return m ? addMeasurePick(m) : null;
    },
    /** Page (CSS px) coordinates of a Cartesian point (Å), and its depth (−1 … 1 inside the view). */
    project: (/** @type {V3} */ p) => {
      const v = vec(p).project(camera);
      const r = renderer.domElement.getBoundingClientRect();
      return { x: r.left + ((v.x + 1) / 2) * r.width, y: r.top + ((1 - v.y) / 2) * r.height, depth: v.z };
    },
    /** Page (CSS px) coordinates of an atom's centre, for real mouse clicks. */
    projectAtom: (/** @type {number} */ i) => /** @type {(p: V3) => { x: number, y: number, depth: number }} */ (hooks.project)(atomOf(i).cart),
    /** The free band of the canvas between the toolbar and the bottom overlays, in page px. */
    freeArea: () => {
      const r = renderer.domElement.getBoundingClientRect();
      return { left: r.left, right: r.right, top: byId('tools').getBoundingClientRect().bottom, bottom: byId('bottom').getBoundingClientRect().top };
    },
    /** The unit vector from the target to the camera, and the camera's up, in Cartesian Å axes. */
    cameraDirection: () => ({ dir: camera.position.clone().sub(controls.target).normalize().toArray(), up: camera.up.toArray(), ortho: camera instanceof THREE.OrthographicCamera }),
    /** Bond cutoffs by element pair as the page uses them. */
    bondCutoffs: () => Object.fromEntries(pairCutoff),
    atomAt,
    renderNow,
    resetView,
  });
  // Live getters (Object.assign would copy their values once).
  Object.defineProperty(hooks, 'colorMode', { get: () => state.colorMode, enumerable: true });
  Object.defineProperty(hooks, 'state', { get: () => ({ ...state }), enumerable: true });

  buildAtoms();
  setBondMode();
  updateLegend();
  resize();
  resetView();
  renderNow();
  if (configIds.length) fillElementSelects(configIds[0]);
  hooks.ready = true;
}
