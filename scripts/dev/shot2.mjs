import { chromium } from 'playwright-core';
const [,, url, out, sel] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking'] });
const p = await b.newPage({ viewport: { width: 1300, height: 2200 } });
await p.goto(url); await p.waitForTimeout(1500);
await p.locator(sel).first().scrollIntoViewIfNeeded();
await p.evaluate((s) => document.querySelector(s).scrollIntoView(), sel);
await p.screenshot({ path: out });
await b.close();
