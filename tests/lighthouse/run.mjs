// Lighthouse over several pages with one Chromium: accessibility and best practices (and the list of network
// requests, to show nothing went to another host), phone form factor, one JSON report per page.
// Usage: CHROME_PATH=/usr/bin/chromium node run.mjs OUT_DIR NAME=URL...   Driven by tests/browser/test_lighthouse.py.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [outDir, ...pages] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  // Without --disable-background-networking Chromium calls Google's hosts at start; the site is offline.
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  for (const page of pages) {
    const at = page.indexOf("=");
    const [name, url] = [page.slice(0, at), page.slice(at + 1)];
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["accessibility", "best-practices"],
      onlyAudits: ["network-requests"],
      disableFullPageScreenshot: true,
    });
    const path = join(outDir, `${name}.json`);
    await writeFile(path, result.report);
    console.log(path);
  }
} finally {
  await chrome.kill();
}
