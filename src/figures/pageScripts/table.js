// Sortable, filterable, paged table over rows embedded as JSON (report.ts interactiveTable).
// Inlined after shared.js in a module script; initialises every .itable of the page once.
// Filters: the search box matches any cell's text; a column's box matches its text, or for number
// columns a condition: "<0", ">= -0.2", "-0.5..0" (inclusive range).

const tables = (window.cescreenTables ??= {});

function numberFilter(expr) {
  const s = expr.trim().replace(/\u2212/g, '-');
  let m = /^(<=|>=|<|>|=)\s*(-?[\d.]+(?:e-?\d+)?)$/i.exec(s);
  if (m) {
    const x = Number(m[2]);
    const op = m[1];
    return (v) => v !== null && (op === '<' ? v < x : op === '<=' ? v <= x : op === '>' ? v > x : op === '>=' ? v >= x : v === x);
  }
  m = /^(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)$/.exec(s);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    return (v) => v !== null && v >= lo && v <= hi;
  }
  return null;
}

function setUp(root) {
  if (root.dataset.ready) return;
  root.dataset.ready = '1';
  const { columns, rows } = JSON.parse(root.querySelector('script.itable-data').textContent);
  const display = (c, v) => (v === null || v === undefined || v === '' ? '' : c.type === 'number' ? formatNumber(v, c.digits ?? 3) : String(v));
  const text = rows.map((r) => columns.map((c, j) => display(c, r[j])));
  const state = { sort: null, dir: 1, query: '', filters: columns.map(() => ''), page: 0, size: Number(root.dataset.pageSize) || 100, order: rows.map((_, i) => i) };
  const tbody = root.querySelector('tbody');
  const count = root.querySelector('.itable-count');
  const pageLabel = root.querySelector('.itable-page');
  const heads = [...root.querySelectorAll('thead tr.itable-head th')];

  function apply() {
    const q = state.query.trim().toLowerCase();
    const tests = state.filters.map((f, j) => {
      if (!f.trim()) return null;
      const c = columns[j];
      const n = c.type === 'number' ? numberFilter(f) : null;
      if (n) return (i) => n(rows[i][j] === null || rows[i][j] === undefined || rows[i][j] === '' ? null : Number(rows[i][j]));
      const needle = f.trim().toLowerCase();
      return (i) => text[i][j].toLowerCase().includes(needle);
    });
    let idx = rows.map((_, i) => i).filter((i) => (!q || text[i].some((t) => t.toLowerCase().includes(q))) && tests.every((t) => !t || t(i)));
    if (state.sort !== null) {
      const j = state.sort;
      const num = columns[j].type === 'number';
      const key = (i) => {
        const v = rows[i][j];
        return v === null || v === undefined || v === '' ? null : num ? Number(v) : String(v);
      };
      // Empty cells last in either direction; ties keep the original order (stable).
      idx.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        if (x === null || y === null) return x === null && y === null ? a - b : x === null ? 1 : -1;
        const c = num ? x - y : x.localeCompare(y, undefined, { numeric: true });
        return c ? c * state.dir : a - b;
      });
    }
    state.order = idx;
    const pages = Math.max(1, Math.ceil(idx.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    render(pages);
  }

  function render(pages) {
    const start = state.page * state.size;
    const slice = state.order.slice(start, start + state.size);
    tbody.innerHTML = slice
      .map((i) => `<tr>${columns.map((c, j) => `<td class="${c.type === 'number' ? 'num' : 'txt'}${c.type === 'number' && Number(rows[i][j]) < 0 && c.signed ? ' neg' : ''}">${escapeXml(text[i][j])}</td>`).join('')}</tr>`)
      .join('');
    root.dataset.total = String(rows.length);
    root.dataset.shown = String(state.order.length);
    count.textContent = state.order.length === rows.length ? `${rows.length} rows` : `${state.order.length} of ${rows.length} rows`;
    pageLabel.textContent = state.order.length ? `${start + 1}–${Math.min(start + state.size, state.order.length)} · page ${state.page + 1} of ${pages}` : 'no matching rows';
    heads.forEach((h, j) => h.setAttribute('aria-sort', state.sort === j ? (state.dir > 0 ? 'ascending' : 'descending') : 'none'));
  }

  function sortBy(j, dir) {
    if (dir === undefined) dir = state.sort === j ? -state.dir : 1;
    state.sort = j;
    state.dir = dir;
    state.page = 0;
    apply();
  }

  heads.forEach((h, j) => h.addEventListener('click', () => sortBy(j)));
  root.querySelector('input.itable-search').addEventListener('input', (e) => {
    state.query = e.target.value;
    state.page = 0;
    apply();
  });
  root.querySelectorAll('thead input.itable-filter').forEach((inp, j) =>
    inp.addEventListener('input', () => {
      state.filters[j] = inp.value;
      state.page = 0;
      apply();
    }),
  );
  root.querySelector('select.itable-size').addEventListener('change', (e) => {
    state.size = Number(e.target.value) || rows.length || 1;
    state.page = 0;
    apply();
  });
  root.querySelector('button.itable-prev').addEventListener('click', () => {
    state.page = Math.max(0, state.page - 1);
    apply();
  });
  root.querySelector('button.itable-next').addEventListener('click', () => {
    state.page += 1;
    apply();
  });
  root.querySelector('button.itable-csv').addEventListener('click', () => {
    const cell = (v) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const csv = [columns.map((c) => cell(c.key)).join(','), ...state.order.map((i) => rows[i].map(cell).join(','))].join('\n') + '\n';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    a.download = `${root.id || 'table'}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
  });

  tables[root.id] = {
    total: rows.length,
    /** Row indices (into the embedded rows) in the current filtered and sorted order. */
    order: () => state.order.slice(),
    sortBy: (key, dir) => sortBy(columns.findIndex((c) => c.key === key), dir),
    filter: (query) => {
      root.querySelector('input.itable-search').value = query;
      state.query = query;
      state.page = 0;
      apply();
    },
    value: (i, key) => rows[i][columns.findIndex((c) => c.key === key)],
  };
  apply();
}

for (const root of document.querySelectorAll('.itable')) setUp(root);
