// cescreen viewer — page code, inlined as the page's module script by src/figures/viewer.ts.
// Plain browser JavaScript (no build step); three.js arrives as text blocks turned into Blob-URL modules.

const hooks = {
  ready: false,
  error: null,
  background: [255, 255, 255],
  selectedPolyhedron: null,
  selectedPair: null,
  lastPrediction: null,
  renderCount: 0,
};
window.cescreenViewer = hooks;

const byId = (id) => document.getElementById(id);
const textOf = (id) => byId(id).textContent;
const blobUrl = (code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));

function fail(e) {
  hooks.error = String((e && e.message) || e);
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

function start(THREE, OrbitControls, data) {
  const view = byId('view');
  const fmt = (v, d = 2) => {
    const s = Number(v).toFixed(d);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s.replace('-', '\u2212');
  };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

  // ---------- renderer, camera, lights ----------
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (e) {
    fail(new Error('WebGL is not available in this browser (' + ((e && e.message) || e) + ')'));
    return;
  }
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.setClearColor(0xffffff, 1);
  view.prepend(renderer.domElement);
  renderer.domElement.setAttribute('data-testid', 'viewer-canvas');
  renderer.domElement.tabIndex = 0;

  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(35, 1, 0.1, 2000);
  scene.add(camera);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x8a8a8a, 1.9));
  const key = new THREE.DirectionalLight(0xffffff, 1.6);
  key.position.set(1, 1.5, 2);
  camera.add(key); // light follows the camera so the lit side always faces the viewer

  // ---------- lattice geometry ----------
  const [A, B, C] = data.lattice.map((r) => new THREE.Vector3(r[0], r[1], r[2]));
  const fracToCart = (f) => A.clone().multiplyScalar(f[0]).add(B.clone().multiplyScalar(f[1])).add(C.clone().multiplyScalar(f[2]));
  const M = new THREE.Matrix3().set(A.x, B.x, C.x, A.y, B.y, C.y, A.z, B.z, C.z); // columns a, b, c: cart = M · frac
  const Minv = M.clone().invert();
  const cellCentre = fracToCart([0.5, 0.5, 0.5]);
  const cellRadius = Math.max(
    ...[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]].map((f) => fracToCart(f).distanceTo(cellCentre)),
  );

  const cellGroup = new THREE.Group();
  scene.add(cellGroup);
  {
    const corners = (f) => fracToCart(f);
    const edges = [];
    for (const [u, v] of [[[1, 0, 0], [1, 1, 0]], [[1, 0, 0], [1, 0, 1]], [[0, 1, 0], [1, 1, 0]], [[0, 1, 0], [0, 1, 1]], [[0, 0, 1], [1, 0, 1]], [[0, 0, 1], [0, 1, 1]], [[1, 1, 0], [1, 1, 1]], [[1, 0, 1], [1, 1, 1]], [[0, 1, 1], [1, 1, 1]]]) {
      edges.push(corners(u), corners(v));
    }
    cellGroup.add(new THREE.LineSegments(new THREE.BufferGeometry().setFromPoints(edges), new THREE.LineBasicMaterial({ color: 0x555555 })));
    // The three axes from the origin in red/green/blue (a/b/c), labelled.
    const axisCol = [0xd03030, 0x30a030, 0x3050d0];
    [A, B, C].forEach((v, i) => {
      cellGroup.add(new THREE.Line(new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(), v]), new THREE.LineBasicMaterial({ color: axisCol[i] })));
      const s = textSprite('abc'[i], '#' + axisCol[i].toString(16).padStart(6, '0'));
      s.position.copy(v.clone().multiplyScalar(1.06));
      cellGroup.add(s);
    });
  }

  function textSprite(text, color) {
    const cv = document.createElement('canvas');
    cv.width = 128;
    cv.height = 64;
    const g = cv.getContext('2d');
    g.font = 'bold 44px Helvetica, Arial, sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.lineWidth = 6;
    g.strokeStyle = 'rgba(255,255,255,0.9)';
    g.strokeText(text, 64, 34);
    g.fillStyle = color;
    g.fillText(text, 64, 34);
    const tex = new THREE.CanvasTexture(cv);
    tex.colorSpace = THREE.SRGBColorSpace;
    const sp = new THREE.Sprite(new THREE.SpriteMaterial({ map: tex, depthTest: false, transparent: true }));
    const h = cellRadius * 0.09;
    sp.scale.set(h * 2, h, 1);
    sp.renderOrder = 10;
    return sp;
  }

  // ---------- atoms ----------
  const atomById = new Map(data.atoms.map((a) => [a.index, a]));
  const radiusByElement = new Map();
  for (const a of data.atoms) if (!radiusByElement.has(a.element)) radiusByElement.set(a.element, a.radius);
  const typicalRadius = data.atoms.length ? data.atoms.reduce((s, a) => s + a.radius, 0) / data.atoms.length : 1;
  const envByAtom = new Map(data.environments.map((e) => [e.atom, e]));
  let atomScale = 0.42; // metallic radii would overlap; draw spheres at a fraction of them
  let colorMode = 'element';

  const sphereGeo = new THREE.SphereGeometry(1, 32, 20);
  const materials = new Map();
  function materialFor(hex, opts = {}) {
    const k = hex + JSON.stringify(opts);
    if (!materials.has(k)) materials.set(k, new THREE.MeshPhongMaterial({ color: new THREE.Color(hex), shininess: 70, specular: 0x333333, ...opts }));
    return materials.get(k);
  }
  const colorOf = (element, label) =>
    colorMode === 'label' ? data.labelColors[label] || '#999999' : data.elementColors[element] || '#999999';
  // While a polyhedron is shown the rest of the cell fades back, so the polyhedron reads clearly.
  let faded = false;
  const fadedOpts = { transparent: true, opacity: 0.22, depthWrite: false };
  const cellAtomMaterial = (a) => materialFor(colorOf(a.element, a.label), faded ? fadedOpts : {});

  const atomGroup = new THREE.Group();
  scene.add(atomGroup);
  const atomMeshes = []; // every drawn sphere, including boundary images; userData.index = atom index
  for (const a of data.atoms) {
    const p = new THREE.Vector3(...a.cart);
    // Atoms on cell faces/edges/corners are also drawn on the opposite side, as crystallographers expect.
    const f = p.clone().applyMatrix3(Minv).toArray();
    const shifts = [[0, 0, 0]];
    for (let k = 0; k < 3; k++) {
      const s = Math.abs(f[k]) < 1e-3 ? 1 : Math.abs(f[k] - 1) < 1e-3 ? -1 : 0;
      if (s) for (const t of shifts.slice()) shifts.push(t.map((x, j) => (j === k ? s : x)));
    }
    for (const t of shifts) {
      const m = new THREE.Mesh(sphereGeo, cellAtomMaterial(a));
      m.position.copy(p).add(fracToCart(t));
      m.scale.setScalar(a.radius * atomScale);
      m.userData = { index: a.index, image: t.some((x) => x !== 0) };
      atomGroup.add(m);
      atomMeshes.push(m);
    }
  }

  function recolour() {
    for (const m of atomMeshes) m.material = cellAtomMaterial(atomById.get(m.userData.index));
    if (hooks.selectedPolyhedron) drawPolyhedron(hooks.selectedPolyhedron.atom);
    updateLegend();
    requestRender();
  }

  function updateLegend() {
    const entries =
      colorMode === 'label'
        ? [...new Set(data.atoms.map((a) => a.label))].map((l) => [l, data.labelColors[l]])
        : [...new Set(data.atoms.map((a) => a.element))].map((e) => [e, data.elementColors[e]]);
    byId('legend').innerHTML = entries.map(([n, c]) => `<span><span class="sw" style="background:${c}"></span>${esc(n)}</span>`).join('');
  }

  // ---------- camera framing & controls ----------
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.enableDamping = false;
  controls.addEventListener('change', () => requestRender());

  function resetView() {
    // Oblique view with c up: the usual textbook perspective of a cell.
    const up = C.clone().normalize();
    const side = A.clone().normalize();
    const depth = up.clone().cross(side).normalize(); // roughly along b
    const dir = side.multiplyScalar(0.55).add(depth.multiplyScalar(-1.0)).add(up.clone().multiplyScalar(0.42)).normalize();
    const fov = THREE.MathUtils.degToRad(camera.fov);
    const fit = Math.min(fov, 2 * Math.atan(Math.tan(fov / 2) * camera.aspect)) / 2;
    const maxSphere = Math.max(0, ...data.atoms.map((a) => a.radius)) * atomScale;
    const dist = ((cellRadius + maxSphere) * 1.1) / Math.sin(fit);
    camera.up.copy(up);
    camera.position.copy(cellCentre).addScaledVector(dir, dist);
    camera.near = dist / 50;
    camera.far = dist * 20;
    camera.updateProjectionMatrix();
    controls.target.copy(cellCentre);
    controls.update();
    requestRender();
  }

  function resize() {
    const w = view.clientWidth;
    const h = view.clientHeight;
    if (!w || !h) return;
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
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
    hooks.renderCount++;
  }

  // ---------- picking ----------
  const raycaster = new THREE.Raycaster();
  function atomAt(clientX, clientY) {
    const r = renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(((clientX - r.left) / r.width) * 2 - 1, -((clientY - r.top) / r.height) * 2 + 1);
    raycaster.setFromCamera(ndc, camera);
    const hit = raycaster.intersectObjects(atomMeshes, false)[0];
    return hit ? hit.object.userData.index : null;
  }
  let down = null;
  renderer.domElement.addEventListener('pointerdown', (e) => {
    down = { x: e.clientX, y: e.clientY };
  });
  renderer.domElement.addEventListener('pointerup', (e) => {
    if (!down || e.button !== 0) return;
    const moved = Math.hypot(e.clientX - down.x, e.clientY - down.y);
    down = null;
    if (moved > 4) return; // that was an orbit drag, not a click
    const i = atomAt(e.clientX, e.clientY);
    if (i === null) clearPolyhedron();
    else selectAtom(i);
  });
  const tooltip = byId('tooltip');
  renderer.domElement.addEventListener('pointermove', (e) => {
    if (e.buttons) return;
    const i = atomAt(e.clientX, e.clientY);
    if (i === null) {
      tooltip.style.display = 'none';
      return;
    }
    const a = atomById.get(i);
    const r = view.getBoundingClientRect();
    tooltip.textContent = `${a.element} · ${a.label} · atom ${a.index}`;
    tooltip.style.left = e.clientX - r.left + 14 + 'px';
    tooltip.style.top = e.clientY - r.top + 10 + 'px';
    tooltip.style.display = 'block';
  });
  renderer.domElement.addEventListener('pointerleave', () => (tooltip.style.display = 'none'));

  // ---------- coordination polyhedron ----------
  const polyGroup = new THREE.Group();
  scene.add(polyGroup);
  const glowMat = new THREE.MeshBasicMaterial({ color: 0xffc400, side: THREE.BackSide });

  function disposeGroup(g) {
    for (const o of [...g.children]) {
      g.remove(o);
      if (o.geometry && o.geometry !== sphereGeo) o.geometry.dispose();
      if (o.material && o.material.map) o.material.map.dispose();
    }
  }

  function clearPolyhedron() {
    disposeGroup(polyGroup);
    hooks.selectedPolyhedron = null;
    refreshFade();
    byId('env-body').innerHTML = '<p class="empty">Click an atom to show its coordination polyhedron.</p>';
    requestRender();
  }

  function drawPolyhedron(i) {
    disposeGroup(polyGroup);
    const a = atomById.get(i);
    const env = envByAtom.get(i);
    const centre = new THREE.Vector3(...a.cart);
    // The centre atom, opaque again on top of the faded cell, with a gold rim.
    const core = new THREE.Mesh(sphereGeo, materialFor(colorOf(a.element, a.label)));
    core.position.copy(centre);
    core.scale.setScalar(a.radius * atomScale);
    polyGroup.add(core);
    const glow = new THREE.Mesh(sphereGeo, glowMat);
    glow.position.copy(centre);
    glow.scale.setScalar(a.radius * atomScale * 1.18);
    polyGroup.add(glow);
    if (!env) return { faces: [], vertices: 0 };
    const pts = env.shell.map((s) => new THREE.Vector3(...s.cart));
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
          const key = u < v ? u + ',' + v : v + ',' + u;
          if (seen.has(key)) continue;
          seen.add(key);
          epts.push(pts[u], pts[v]);
        }
      }
      polyGroup.add(new THREE.LineSegments(new THREE.BufferGeometry().setFromPoints(epts), new THREE.LineBasicMaterial({ color: 0x303030 })));
    }
    // Shell atoms (some lie outside the cell) and thin centre–neighbour lines.
    const spokes = [];
    env.shell.forEach((s, k) => {
      const m = new THREE.Mesh(sphereGeo, materialFor(colorOf(s.element, s.label)));
      m.position.copy(pts[k]);
      m.scale.setScalar((radiusByElement.get(s.element) ?? typicalRadius) * atomScale * 1.02);
      polyGroup.add(m);
      spokes.push(centre, pts[k]);
    });
    polyGroup.add(new THREE.LineSegments(new THREE.BufferGeometry().setFromPoints(spokes), new THREE.LineBasicMaterial({ color: 0x9a9a9a, transparent: true, opacity: 0.7 })));
    return { faces: env.faces, vertices: pts.length };
  }

  const refreshFade = () => setFaded(Boolean(hooks.selectedPolyhedron || hooks.selectedPair));
  function setFaded(on) {
    if (faded === on) return;
    faded = on;
    for (const m of atomMeshes) m.material = cellAtomMaterial(atomById.get(m.userData.index));
  }

  function selectAtom(i) {
    const a = atomById.get(i);
    if (!a) throw new Error('no atom with index ' + i);
    setFaded(true);
    const drawn = drawPolyhedron(i);
    hooks.selectedPolyhedron = { atom: i, label: a.label, faces: drawn.faces.map((f) => f.slice()), vertices: drawn.vertices };
    showEnvironment(a, envByAtom.get(i));
    requestRender();
    return hooks.selectedPolyhedron;
  }

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
    const ideal = env.ideal ? `${esc(env.ideal.name)} <span class="empty">(${esc(env.ideal.code)}), deviation ${fmt(env.ideal.deviation, 3)}</span>` : '—';
    body.innerHTML = `
      <table class="kv" data-testid="env-table">
        <tr><th>Site</th><td><b>${esc(env.label)}</b> — ${esc(a.element)}, atom ${a.index}</td></tr>
        <tr><th>Wyckoff</th><td>${esc(env.wyckoff)}</td></tr>
        <tr><th>CN</th><td data-testid="env-cn">${env.cn}</td></tr>
        <tr><th>Topological code</th><td><code>${esc(env.code)}</code></td></tr>
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
  const configIds = [...new Set([...(data.pairs || []).map((p) => p.id), ...predictions.map((p) => p.config)])].sort((x, y) => x - y);
  const pairGroup = new THREE.Group();
  scene.add(pairGroup);
  const substBody = byId('subst-body');

  function configInfo(id) {
    const p = pairById.get(id);
    if (p) return { site_a: p.site_a, site_b: p.site_b, distance: p.distance };
    const q = predictions.find((r) => r.config === id);
    return q ? { site_a: q.site_a, site_b: q.site_b, distance: q.distance } : { site_a: '?', site_b: '?', distance: NaN };
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
      <div class="prediction" id="prediction" data-testid="prediction">Choose a pair and two elements.</div>`;
    byId('sel-config').addEventListener('change', () => onSelectChange(true));
    byId('sel-x').addEventListener('change', () => onSelectChange(false));
    byId('sel-y').addEventListener('change', () => onSelectChange(false));
  }

  function fillElementSelects(config, X, Y) {
    const rows = predictions.filter((p) => p.config === config);
    const xs = [...new Set(rows.map((p) => p.element_a))];
    const ys = [...new Set(rows.map((p) => p.element_b))];
    if (X && !xs.includes(X)) xs.push(X);
    if (Y && !ys.includes(Y)) ys.push(Y);
    const c = configInfo(config);
    byId('lab-x').textContent = `X on ${c.site_a}`;
    byId('lab-y').textContent = `Y on ${c.site_b}`;
    const fill = (sel, list, want) => {
      const keep = want ?? sel.value;
      sel.innerHTML = list.map((e) => `<option>${esc(e)}</option>`).join('');
      if (list.includes(keep)) sel.value = keep;
    };
    fill(byId('sel-x'), xs, X);
    fill(byId('sel-y'), ys, Y);
  }

  function onSelectChange(configChanged) {
    const config = Number(byId('sel-config').value);
    if (configChanged) fillElementSelects(config);
    selectPair(config, byId('sel-x').value, byId('sel-y').value);
  }

  function selectPair(config, X, Y) {
    config = Number(config);
    if (!configIds.includes(config)) throw new Error('unknown pair config ' + config);
    byId('sel-config').value = String(config);
    fillElementSelects(config, X, Y);
    const c = configInfo(config);
    const pred = predictions.find((p) => p.config === config && p.element_a === X && p.element_b === Y);
    const pair = pairById.get(config);
    hooks.selectedPair = { config, X, Y, atom_a: pair ? pair.atom_a : null, atom_b: pair ? pair.atom_b : null };
    hooks.lastPrediction = pred ? { config, X, Y, eds: pred.eds_pred } : null;
    const box = byId('prediction');
    box.className = 'prediction' + (pred ? (pred.eds_pred < 0 ? ' neg' : pred.eds_pred > 0 ? ' pos' : '') : '');
    box.innerHTML = pred
      ? `<div>E<sub>DS</sub>(${esc(X)}@${esc(c.site_a)}, ${esc(Y)}@${esc(c.site_b)}) = <span class="eds" data-testid="eds-value" data-value="${pred.eds_pred}">${fmt(pred.eds_pred, 3)} eV</span></div>
         <div class="sub">${pred.eds_pred < 0 ? 'stabilising' : pred.eds_pred > 0 ? 'destabilising' : 'neutral'} · pair #${config}, d = ${fmt(c.distance, 3)} Å${pair ? ` · atoms ${pair.atom_a} and ${pair.atom_b}` : ''}</div>`
      : `<div>No prediction for ${esc(X)}@${esc(c.site_a)}, ${esc(Y)}@${esc(c.site_b)} (pair #${config}).</div>`;
    drawPair(pair, X, Y);
    refreshFade();
    markHeatmapCell(config, X, Y);
    requestRender();
    return hooks.lastPrediction;
  }

  function drawPair(pair, X, Y) {
    disposeGroup(pairGroup);
    if (!pair) return;
    const a = atomById.get(pair.atom_a);
    const b = atomById.get(pair.atom_b);
    const pa = new THREE.Vector3(...a.cart);
    const pb = new THREE.Vector3(...pair.cart_b);
    // The substituted atoms take the colours of X and Y, ringed in gold.
    for (const [p, el, host] of [[pa, X, a], [pb, Y, b]]) {
      const r = (radiusByElement.get(el) ?? host.radius) * atomScale * 1.12;
      const s = new THREE.Mesh(sphereGeo, materialFor(data.elementColors[el] || '#999999'));
      s.position.copy(p);
      s.scale.setScalar(r);
      pairGroup.add(s);
      const g = new THREE.Mesh(sphereGeo, glowMat);
      g.position.copy(p);
      g.scale.setScalar(r * 1.18);
      pairGroup.add(g);
      const tag = textSprite(el, '#222222');
      tag.position.copy(p).addScaledVector(camera.up, r * 1.18 + cellRadius * 0.05);
      pairGroup.add(tag);
    }
    // Bond between a and the nearest image of b, with its length.
    const len = pa.distanceTo(pb);
    const rod = new THREE.Mesh(new THREE.CylinderGeometry(0.09, 0.09, len, 16), materialFor('#e0a800'));
    rod.position.copy(pa).add(pb).multiplyScalar(0.5);
    rod.quaternion.setFromUnitVectors(new THREE.Vector3(0, 1, 0), pb.clone().sub(pa).normalize());
    pairGroup.add(rod);
    const lab = textSprite(fmt(pair.distance, 2) + ' Å', '#7a5a00');
    lab.position.copy(rod.position).addScaledVector(camera.up, cellRadius * 0.06);
    pairGroup.add(lab);
  }

  function markHeatmapCell(config, X, Y) {
    for (const el of document.querySelectorAll('figure.hm rect.cell.selected')) el.classList.remove('selected');
    for (const f of document.querySelectorAll('figure.hm')) f.classList.toggle('current', Number(f.dataset.config) === config);
    for (const el of document.querySelectorAll(`figure.hm[data-config="${config}"] rect.cell`)) {
      if (el.getAttribute('data-row') === X && el.getAttribute('data-col') === Y) el.classList.add('selected');
    }
  }

  // Heatmap cells: rows are X on the first site, columns Y on the second.
  byId('heatmaps').addEventListener('click', (e) => {
    const cell = e.target.closest('rect.cell');
    const fig = e.target.closest('figure.hm');
    if (!cell || !fig || !configIds.includes(Number(fig.dataset.config))) return;
    selectPair(Number(fig.dataset.config), cell.getAttribute('data-row'), cell.getAttribute('data-col'));
  });

  // ---------- tools ----------
  byId('by-label').addEventListener('change', (e) => {
    colorMode = e.target.checked ? 'label' : 'element';
    recolour();
  });
  byId('reset-view').addEventListener('click', () => resetView());
  byId('clear-sel').addEventListener('click', () => {
    clearPolyhedron();
    disposeGroup(pairGroup);
    hooks.selectedPair = null;
    refreshFade();
    markHeatmapCell(-1, null, null);
    requestRender();
  });
  window.addEventListener('keydown', (e) => {
    if (e.target && /^(SELECT|INPUT|TEXTAREA)$/.test(e.target.tagName)) return;
    if (e.key === 'Escape') byId('clear-sel').click();
    if (e.key === 'r' || e.key === 'R') resetView();
  });

  // ---------- test hooks ----------
  Object.assign(hooks, {
    selectAtom,
    clearSelection: () => byId('clear-sel').click(),
    selectPair,
    setColorMode: (mode) => {
      byId('by-label').checked = mode === 'label';
      colorMode = mode === 'label' ? 'label' : 'element';
      recolour();
    },
    /** Page (CSS px) coordinates of an atom's centre, for real mouse clicks. */
    projectAtom: (i) => {
      const a = atomById.get(i);
      const v = new THREE.Vector3(...a.cart).project(camera);
      const r = renderer.domElement.getBoundingClientRect();
      return { x: r.left + ((v.x + 1) / 2) * r.width, y: r.top + ((1 - v.y) / 2) * r.height, depth: v.z };
    },
    atomAt,
    renderNow,
    resetView,
  });
  // A live getter (Object.assign would copy its value once).
  Object.defineProperty(hooks, 'colorMode', { get: () => colorMode, enumerable: true });

  updateLegend();
  resize();
  resetView();
  renderNow();
  if (configIds.length) fillElementSelects(configIds[0]);
  hooks.ready = true;
}
