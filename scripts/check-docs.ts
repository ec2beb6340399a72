/**
 * Checks that the generated API docs render: serves docs/api on 127.0.0.1, loads the index page,
 * the `Eni` class page and every guide page in Debian's Chromium (driven by playwright-core;
 * nothing is downloaded), and fails on console errors, page errors, failed requests, requests
 * leaving the site, and same-site links that do not answer 200. Saves screenshots of the index
 * and `Eni` pages under test-output/docs/.
 *
 *   npm run docs && npx tsx scripts/check-docs.ts
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const site = join(repo, "docs/api");
const output = join(repo, "test-output/docs");
const executablePath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
/** The pages to load; each gets a screenshot. The guides (typedoc "documents") are loaded too. */
const PAGES = [
  { name: "index", path: "/index.html", screenshot: true },
  { name: "Eni", path: "/classes/index.Eni.html", screenshot: true },
];
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".md": "text/markdown; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/** A static file server for docs/api, on a free port of 127.0.0.1 only. */
async function serve(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
    let file = normalize(join(root, pathname));
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { "content-type": "text/plain" }).end(`Not found: ${pathname}`);
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Page {
  readonly name: string;
  readonly path: string;
  readonly screenshot: boolean;
}

async function checkPage(context: BrowserContext, origin: string, page: Page, problems: string[]): Promise<number> {
  const tab = await context.newPage();
  const report = (problem: string) => problems.push(`${page.name}: ${problem}`);
  tab.on("console", (message) => {
    if (message.type() === "error") report(`console error: ${message.text()}`);
  });
  tab.on("pageerror", (error) => report(`page error: ${error.message}`));
  tab.on("requestfailed", (request) =>
    report(`request failed: ${request.url()} (${request.failure()?.errorText ?? "?"})`),
  );
  tab.on("response", (response) => {
    if (response.status() >= 400) report(`HTTP ${response.status()} for ${response.url()}`);
  });

  const response = await tab.goto(origin + page.path, { waitUntil: "networkidle" });
  if (response?.status() !== 200) report(`HTTP ${response?.status() ?? "no response"} for the page itself`);
  const title = await tab.title();
  if (!title.includes("eni-kit")) report(`unexpected title ${JSON.stringify(title)}`);

  // Every link on the page once its scripts have run (the navigation tree is built by script).
  const hrefs = await tab.$$eval("a[href]", (anchors) => anchors.map((anchor) => (anchor as HTMLAnchorElement).href));
  const anchors = await tab.$$eval("[id]", (elements) => elements.map((element) => element.id));
  const local = [...new Set(hrefs.filter((href) => href.startsWith(origin + "/")))];
  for (const href of local) {
    const url = new URL(href);
    // A link to a section of this same page must find its target.
    if (
      url.hash !== "" &&
      url.pathname === new URL(tab.url()).pathname &&
      !anchors.includes(decodeURIComponent(url.hash.slice(1)))
    ) {
      report(`link to a missing section: ${href}`);
    }
  }
  const targets = [...new Set(local.map((href) => href.split("#")[0] ?? href))];
  const statuses = await Promise.all(targets.map(async (target) => ({ target, status: (await fetch(target)).status })));
  for (const { target, status } of statuses) if (status !== 200) report(`broken link: ${target} (HTTP ${status})`);

  if (page.screenshot) {
    mkdirSync(output, { recursive: true });
    await tab.screenshot({ path: join(output, `${page.name}.png`), fullPage: false });
  }
  await tab.close();
  return targets.length;
}

async function main(): Promise<void> {
  if (!existsSync(join(site, "index.html")))
    throw new Error("docs/api/index.html is missing: run `npm run docs` first.");
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}. Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH; nothing is downloaded.`,
    );
  }
  const started = performance.now();
  const { server, origin } = await serve(site);
  const userDataDir = mkdtempSync(join(tmpdir(), "eni-kit-chromium-"));
  const problems: string[] = [];
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
    });
    // The docs must render from the local server alone: anything else is refused and reported.
    await context.route(
      (url) => url.origin !== origin,
      async (route) => {
        problems.push(`request outside the docs site: ${route.request().url()}`);
        await route.abort();
      },
    );
    const guides = existsSync(join(site, "documents"))
      ? readdirSync(join(site, "documents"))
          .filter((file) => file.endsWith(".html"))
          .map((file) => ({ name: `documents/${file}`, path: `/documents/${file}`, screenshot: false }))
      : [];
    for (const page of [...PAGES, ...guides]) {
      const links = await checkPage(context, origin, page, problems);
      console.log(`  ✓ ${page.name} page loaded, ${links} same-site links checked`);
    }
  } finally {
    await context?.close();
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    console.error(problems.map((problem) => `  ✗ ${problem}`).join("\n"));
    throw new Error(`${problems.length} problem(s) in the generated API docs.`);
  }
  console.log(
    `API docs render without errors (${((performance.now() - started) / 1000).toFixed(1)} s); screenshots in ${output}`,
  );
}

await main();
