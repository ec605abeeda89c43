import { chromium } from 'playwright-core';
const [,, url, out, w, h, full] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking'] });
const p = await b.newPage({ viewport: { width: Number(w ?? 1300), height: Number(h ?? 900) } });
await p.goto(url); await p.waitForTimeout(2500);
await p.screenshot({ path: out, fullPage: full === 'full' });
await b.close();
