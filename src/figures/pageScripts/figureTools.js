// Download buttons for every figure of a page: the SVG as drawn, and a PNG at twice its size.
// Inlined as a classic script by report.ts/heatmap.ts; no network, no dependency.
(() => {
  if (window.cescreenFigures) return;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  // What the page's CSS changes on a figure (greyed uncertain cells) is copied into the download.
  const STYLED = 'rect.cell, rect.outline, text.value';

  function figures() {
    // Top-level figures: named by their builder (data-name) or placed in a figure container.
    return [...document.querySelectorAll('svg')].filter(
      (s) => !s.parentElement.closest('svg') && !s.closest('.no-fig-tools') && (s.hasAttribute('data-name') || s.parentElement.closest('.fig, figure')),
    );
  }

  function standalone(svg) {
    const clone = svg.cloneNode(true);
    clone.setAttribute('xmlns', SVG_NS);
    const from = svg.querySelectorAll(STYLED);
    const to = clone.querySelectorAll(STYLED);
    from.forEach((el, i) => {
      const cs = getComputedStyle(el);
      if (cs.fill && cs.fill !== 'none' && !/url\(/.test(cs.fill)) to[i].setAttribute('fill', cs.fill);
      if (cs.stroke && cs.stroke !== 'none') to[i].setAttribute('stroke', cs.stroke);
    });
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
  }

  function size(svg) {
    const vb = svg.viewBox && svg.viewBox.baseVal;
    if (vb && vb.width && vb.height) return { width: vb.width, height: vb.height };
    const r = svg.getBoundingClientRect();
    return { width: r.width, height: r.height };
  }

  async function png(svg, scale = 2) {
    const { width, height } = size(svg);
    const url = URL.createObjectURL(new Blob([standalone(svg)], { type: 'image/svg+xml' }));
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      const g = canvas.getContext('2d');
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(img, 0, 0, canvas.width, canvas.height);
      return await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  function save(blob, name) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 5000);
  }

  function names(list) {
    const used = new Map();
    return list.map((svg) => {
      const stem = svg.getAttribute('data-name') || 'figure';
      const n = (used.get(stem) || 0) + 1;
      used.set(stem, n);
      return n === 1 ? stem : `${stem}-${n}`;
    });
  }

  function attach() {
    const list = figures();
    const stems = names(list);
    list.forEach((svg, i) => {
      if (svg.previousElementSibling && svg.previousElementSibling.classList.contains('fig-tools')) return;
      const bar = document.createElement('div');
      bar.className = 'fig-tools';
      bar.innerHTML = '<button type="button" data-format="svg" title="download this figure as SVG (vector)">SVG</button><button type="button" data-format="png" title="download this figure as PNG (2× size)">PNG</button>';
      bar.addEventListener('click', async (e) => {
        const b = e.target.closest('button');
        if (!b) return;
        if (b.dataset.format === 'svg') save(new Blob([standalone(svg)], { type: 'image/svg+xml' }), stems[i] + '.svg');
        else save(await png(svg), stems[i] + '.png');
      });
      svg.before(bar);
    });
  }

  window.cescreenFigures = { figures, standalone, png, attach, save };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', attach);
  else attach();
})();
