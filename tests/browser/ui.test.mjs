// Hikeshi's web UI in a real browser: headless Chromium from Debian, driven by
// playwright-core. Started by scripts/lib/browser.sh, which runs `hikeshi serve` and seeds:
//   constituencies a and b; users alice (handler, a) and bob (handler, b); admin.
// Environment: HIKESHI_TEST_URL, HIKESHI_TEST_ADMIN_PASSWORD, HIKESHI_TEST_PASSWORD,
// HIKESHI_TEST_CHROMIUM, HIKESHI_TEST_SCREENSHOTS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE = process.env.HIKESHI_TEST_URL ?? "http://127.0.0.1:8080";
const ADMIN_PW = process.env.HIKESHI_TEST_ADMIN_PASSWORD ?? "admin-password";
const USER_PW = process.env.HIKESHI_TEST_PASSWORD ?? "handler-password";
const SHOTS = process.env.HIKESHI_TEST_SCREENSHOTS ?? "test-artifacts/screenshots";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-dev-shm-usage"];
// scripts/lib/chromium.sh may ask for more (e.g. --disable-quic).
for (const f of (process.env.HIKESHI_TEST_CHROMIUM_FLAGS ?? "").split(/\s+/)) {
  if (f && !ARGS.includes(f)) ARGS.push(f);
}

let browser;
const state = {}; // shared between the steps, which run in order

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.HIKESHI_TEST_CHROMIUM || "/usr/bin/chromium",
    args: ARGS,
  });
});

after(async () => {
  await browser?.close();
});

async function session(user, password, lang = "en") {
  const context = await browser.newContext({
    baseURL: BASE,
    viewport: { width: 1440, height: 900 },
    locale: lang === "ja" ? "ja-JP" : "en-US",
    extraHTTPHeaders: { "Accept-Language": lang === "ja" ? "ja,en;q=0.5" : "en" },
  });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("/");
  assert.match(page.url(), /\/login\?next=/);
  await page.fill("#username", user);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
  return { context, page, errors };
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** A realistic queue for the screenshots, through the JSON API with a bearer token. */
async function seedQueue(request, token) {
  const headers = { Authorization: `Bearer ${token}` };
  const hours = (h) => new Date(Date.now() + h * 3600_000).toISOString();
  const incidents = [
    { title: "Phishing site imitating the customer portal", severity: "high", tlp: "amber", constituency: "a", owner: "admin", due_at: hours(20) },
    { title: "DDoS against www (L7, about 40k requests/s)", severity: "critical", tlp: "amber+strict", constituency: "a", owner: "admin", due_at: hours(-3), status: "responding" },
    { title: "マルウェア感染端末の通報(営業部)", severity: "high", tlp: "red", constituency: "a", owner: "admin", due_at: hours(48), status: "analysing" },
    { title: "Credential stuffing against the VPN gateway", severity: "medium", tlp: "green", constituency: "a" },
    { title: "公開設定のストレージから顧客データが閲覧可能との指摘", severity: "medium", tlp: "amber", constituency: "b", status: "planning" },
    { title: "Defacement of a campaign microsite", severity: "low", tlp: "clear", constituency: "b" },
  ];
  for (const { status, ...input } of incidents) {
    const r = await request.post("/api/v1/incidents", { headers, data: input });
    assert.equal(r.status(), 201, await r.text());
    if (status) {
      const ref = (await r.json()).ref;
      const p = await request.patch(`/api/v1/incidents/${ref}`, { headers, data: { status } });
      assert.equal(p.status(), 200, await p.text());
    }
  }
  const reports = [
    { subject: "Spam sent from a compromised mailbox", content: "Our abuse desk received 300 complaints.", constituency: "a", reporter: "abuse@isp.example", tlp: "green" },
    { subject: "ポートスキャンの通知 203.0.113.7", content: "203.0.113.7 から 22/tcp, 3389/tcp への走査を観測しました。", constituency: "b", reporter: "soc@partner.example.jp", tlp: "amber" },
  ];
  for (const input of reports) {
    const r = await request.post("/api/v1/reports", { headers, data: input });
    assert.equal(r.status(), 201, await r.text());
  }
}

test("login shows the overview; the CSP header is strict", async () => {
  const { context, page, errors } = await session("admin", ADMIN_PW);
  const resp = await page.goto("/");
  const csp = resp.headers()["content-security-policy"];
  assert.ok(csp, "CSP header present");
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await page.locator("h1", { hasText: "Overview" }).waitFor();
  assert.equal(errors.length, 0, `console errors: ${errors.join("\n")}`);
  state.admin = { context, page, errors };
});

test("an API token created in admin shows its secret once; seed a report", async () => {
  const { page } = state.admin;
  await page.goto("/admin");
  await page.click("summary:has-text('Create token')");
  await page.fill("#t-name", "browser-test");
  await page.click("form[action='/admin/tokens'] button[type=submit]");
  const secret = (await page.locator("#new-secret").textContent()).trim();
  assert.ok(secret.length > 20);
  state.token = secret;
  const r = await page.request.post("/api/v1/reports", {
    headers: { Authorization: `Bearer ${secret}` },
    data: {
      subject: "フィッシングサイトの報告 / Phishing site report",
      content: "お客様から、弊社を装ったフィッシングサイト hxxp://example[.]test/login の報告がありました。\n\nA customer reported a phishing site imitating our login page.",
      constituency: "a",
      reporter: "customer@example.test",
      tlp: "green",
    },
  });
  assert.equal(r.status(), 201, await r.text());
  state.report = (await r.json()).ref;
  await seedQueue(page.request, secret);
});

test("admin creates a constituency with netblocks and a user", async () => {
  const { page } = state.admin;
  await page.goto("/admin");
  await page.click("summary:has-text('Add constituency')");
  await page.fill("#c-slug", "c");
  await page.fill("#c-name", "Constituency C (Osaka branch)");
  await page.fill("#c-net", "192.0.2.0/24\n2001:db8::/32");
  await page.fill("#c-dom", "osaka.example.jp");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/admin/constituencies'] button[type=submit]")]);
  await page.locator("td", { hasText: "192.0.2.0/24, 2001:db8::/32" }).waitFor();
  await page.click("summary:has-text('Add constituency')");
  await page.fill("#c-slug", "Not A Slug!");
  await page.fill("#c-name", "x");
  await page.click("form[action='/admin/constituencies'] button[type=submit]");
  await page.locator("p.alert", { hasText: "slug" }).waitFor();
  await page.goto("/admin");
  await page.click("summary:has-text('Add user')");
  await page.fill("#u-name", "carol");
  await page.selectOption("#u-role", "lead");
  await page.selectOption("#u-const", ["a", "c"]);
  await page.fill("#u-pw", "carol-password-123");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/admin/users'] button[type=submit]")]);
  await page.locator("tr", { hasText: "carol" }).locator("td", { hasText: "a, c" }).waitFor();
  // Revoke the token made above: the API refuses it afterwards.
  await Promise.all([page.waitForLoadState("load"), page.locator("tr", { hasText: "browser-test" }).locator("button").click()]);
  await page.locator("tr", { hasText: "browser-test" }).locator("td", { hasText: "Revoked" }).waitFor();
  const r = await page.request.get("/api/v1/me", { headers: { Authorization: `Bearer ${state.token}` } });
  assert.equal(r.status(), 401);
});

test("switch to Japanese and create an incident with Japanese text", async () => {
  const { page } = state.admin;
  await page.goto("/");
  await page.click("a.lang");
  await page.locator("h1", { hasText: "概要" }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "ja");
  await page.goto("/incidents/new");
  await page.fill("#title", "ランサムウェア感染の疑い(経理部の端末)");
  await page.fill("#description", "経理部の端末でファイルの拡張子が変更され、身代金要求の文書が見つかりました。ネットワークから隔離済み。");
  await page.selectOption("#severity", "high");
  await page.selectOption("#tlp", "amber");
  await page.selectOption("#constituency", "a");
  await Promise.all([page.waitForURL(/\/incidents\/\d{4}-\d{4}$/), page.click("form[action='/incidents'] button[type=submit]")]);
  state.ref = page.url().split("/").pop();
  await page.locator("h1", { hasText: "ランサムウェア感染の疑い" }).waitFor();
  assert.match(await page.locator(".tlp-banner").textContent(), /TLP:AMBER/);
});

test("find it by search, with the match highlighted", async () => {
  const { page } = state.admin;
  await page.goto("/");
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "q");
  await page.keyboard.type("身代金");
  await Promise.all([page.waitForURL(/\/search\?q=/), page.keyboard.press("Enter")]);
  const hit = page.locator(".hits li", { hasText: state.ref });
  await hit.waitFor();
  assert.equal(await hit.locator("mark").first().textContent(), "身代金");
});

test("assign, comment and resolve", async () => {
  const { page } = state.admin;
  await page.goto(`/incidents/${state.ref}`);
  await page.fill("#assign-owner", "alice");
  await Promise.all([page.waitForLoadState("load"), page.click("#assign-owner + button")]);
  await page.locator("#owner", { hasText: "alice" }).waitFor();
  await page.fill("#comment-body", "端末のイメージを保全しました。<b>太字ではない</b>");
  await page.evaluate(() => { window.__stay = 1; });
  await page.click(".comment-form button[type=submit]");
  await page.locator(".ev-comment .ev-body", { hasText: "端末のイメージを保全しました" }).waitFor();
  assert.equal(await page.evaluate(() => window.__stay), 1, "htmx swapped the timeline in place");
  assert.equal(await page.locator(".ev-comment .ev-body b").count(), 0);
  await page.click("summary:has-text('調査を追加')");
  await page.fill("#inv-title", "感染経路の調査");
  await page.fill("#inv-corr", "it-support@example.jp");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action$='/investigations'] button[type=submit]")]);
  await page.locator("li", { hasText: "感染経路の調査" }).waitFor();
  await page.click("summary:has-text('対策を追加')");
  await page.selectOption("#cm-kind", "isolate");
  await page.fill("#cm-what", "PC-ACC-0142");
  await page.fill("#cm-where", "EDR");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action$='/countermeasures'] button[type=submit]")]);
  await page.locator("li", { hasText: "PC-ACC-0142" }).waitFor();
  await page.selectOption("#to-status", "resolved");
  await page.fill("#resolution", "バックアップから復旧し、侵入経路を遮断しました。");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action$='/status'] button[type=submit]")]);
  await page.locator(".badges .status", { hasText: "解決" }).waitFor();
  const options = await page.locator("#to-status option").evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options.sort(), ["closed", "open"]);
});

test("link a report to an incident from the suggestions (htmx)", async () => {
  const { page } = state.admin;
  await page.goto(`/reports/${state.report}`);
  // The incident is resolved now, so it is not suggested; the newest open one in the
  // constituency is, after a search for its title.
  await page.fill("#suggest", "Phishing");
  const item = page.locator("#suggestions li", { hasText: "Phishing site imitating" });
  await item.waitFor();
  await Promise.all([page.waitForLoadState("load"), item.locator("button").click()]);
  await page.locator(".side-col li", { hasText: "Phishing site imitating" }).waitFor();
});

test("work lists and a saved search", async () => {
  const { page } = state.admin;
  await page.goto("/countermeasures");
  await page.locator("td", { hasText: "PC-ACC-0142" }).waitFor();
  await page.goto("/investigations");
  await page.locator("td", { hasText: "感染経路の調査" }).waitFor();
  await page.goto("/incidents?status=resolved");
  await page.fill("#save-name", "解決済みの案件");
  await Promise.all([page.waitForLoadState("load"), page.click("form.save-search button[type=submit]")]);
  await page.goto("/");
  const saved = page.locator("ul.saved a", { hasText: "解決済みの案件" });
  await saved.waitFor();
  await Promise.all([page.waitForURL(/\/incidents\?status=resolved/), saved.click()]);
});

test("screenshots of the main pages in both languages", async () => {
  const { page } = state.admin;
  for (const lang of ["ja", "en"]) {
    await page.goto(`/lang?to=${lang}&next=/`);
    await shot(page, `home-${lang}`);
    await page.goto("/incidents");
    await shot(page, `incidents-${lang}`);
    await page.goto(`/incidents/${state.ref}`);
    await shot(page, `incident-${lang}`);
    await page.goto(`/reports/${state.report}`);
    await shot(page, `report-${lang}`);
    await page.goto("/admin");
    await shot(page, `admin-${lang}`);
  }
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/incidents");
  await shot(page, "incidents-dark-en");
  await page.goto(`/incidents/${state.ref}`);
  await shot(page, "incident-dark-en");
  await page.emulateMedia({ colorScheme: "light" });
});

test("a title with <script> renders as text", async () => {
  const { page } = state.admin;
  const title = "<script>window.__pwned = 1</script><img src=x onerror=alert(1)>";
  await page.goto("/incidents/new");
  await page.fill("#title", title);
  await page.selectOption("#constituency", "b");
  await Promise.all([page.waitForURL(/\/incidents\/\d{4}-\d{4}$/), page.click("form[action='/incidents'] button[type=submit]")]);
  state.bRef = page.url().split("/").pop();
  assert.equal((await page.locator("h1").textContent()).trim(), title);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator("main img").count(), 0);
});

test("a handler of constituency A cannot reach B's incident by URL", async () => {
  const { context, page } = await session("alice", USER_PW);
  const resp = await page.goto(`/incidents/${state.bRef}`);
  assert.equal(resp.status(), 404);
  await page.locator("h1", { hasText: "Not found" }).waitFor();
  assert.equal(await page.locator("body").textContent().then((t) => t.includes("__pwned")), false);
  // Her own constituency's incident (assigned to her above) is there.
  const own = await page.goto(`/incidents/${state.ref}`);
  assert.equal(own.status(), 200);
  await page.locator("#owner", { hasText: "alice" }).waitFor();
  // B's incidents are not in her lists or search either.
  await page.goto("/search?q=pwned");
  assert.equal(await page.locator(".hits li").count(), 0);
  await context.close();
});

test("keyboard: g i goes to incidents, j and Enter open a row", async () => {
  const { page } = state.admin;
  await page.goto("/");
  await page.keyboard.press("g");
  await page.keyboard.press("i");
  await page.waitForURL(/\/incidents$/);
  await page.keyboard.press("j");
  await Promise.all([page.waitForURL(/\/incidents\/\d{4}-\d{4}$/), page.keyboard.press("Enter")]);
  // Nothing was blocked by the CSP, and no script failed, on any page visited.
  const errors = state.admin.errors.filter((e) => !/status of 4\d\d/.test(e));
  assert.deepEqual(errors, []);
  await state.admin.context.close();
});

test("public report form: no login, Japanese, an attachment, a tracking reference", async () => {
  const context = await browser.newContext({
    baseURL: BASE,
    viewport: { width: 1280, height: 900 },
    locale: "ja-JP",
    extraHTTPHeaders: { "Accept-Language": "ja,en;q=0.5" },
  });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("/report");
  await page.locator("h1", { hasText: "インシデントの報告" }).waitFor();
  // The honeypot is off-screen for people (and aria-hidden), still there for bots.
  const box = await page.locator("#website").boundingBox();
  assert.ok(!box || box.x + box.width <= 0, `honeypot off-screen: ${JSON.stringify(box)}`);
  await page.fill("#name", "山田 太郎");
  await page.fill("#email", "not-an-address@");
  await page.fill("#organisation", "Example K.K.");
  await page.selectOption("#incident_type", "fraud/phishing");
  await page.fill("#description", "フィッシングサイト hxxp://login-bank[.]example.com を確認しました");
  // The browser checks the e-mail field itself; the server check is covered by the Rust tests.
  await page.fill("#email", "taro@example.co.jp");
  await page.setInputFiles("#attachments", {
    name: "evidence.txt", mimeType: "text/plain", buffer: Buffer.from("Received: from mail.example.net\n"),
  });
  await shot(page, "public-report-ja");
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/report'] button[type=submit]")]);
  const ref = (await page.locator("#tracking-ref").textContent()).trim();
  assert.match(ref, /^R\d{4}-\d{4,}$/);
  await shot(page, "public-report-thanks-ja");
  assert.deepEqual(errors, [], "nothing blocked by the CSP");
  await context.close();
});

test("triage rules: a bad rule shows the field, a dry run shows a table, saving lists the rules", async () => {
  const { context, page, errors } = await session("admin", ADMIN_PW);
  await page.goto("/triage");
  await page.locator("#triage-form").waitFor();
  const rules = (priority) => JSON.stringify({ rules: [
    { id: "pw-phish", when: { keywords_any: ["phishing"] }, then: { tags: ["phishing"], priority } },
  ] }, null, 2);
  await page.fill("#rules-json", rules(9));
  await Promise.all([page.waitForLoadState("load"), page.click("#triage-form button[type=submit]:not([formaction])")]);
  await page.locator("#triage-error", { hasText: "rules[0].then.priority" }).waitFor();
  // The text stays in the editor after the error.
  assert.match(await page.inputValue("#rules-json"), /"priority": 9/);
  await page.fill("#rules-json", rules(2));
  await Promise.all([page.waitForLoadState("load"), page.click("#triage-form button[formaction='/triage/dry-run']")]);
  await page.locator("#dry-run").waitFor();
  await page.fill("#rules-json", rules(2));
  await Promise.all([page.waitForLoadState("load"), page.click("#triage-form button[type=submit]:not([formaction])")]);
  await page.locator("#triage-rules td", { hasText: "pw-phish" }).waitFor();
  await shot(page, "triage-rules");
  await page.goto("/due");
  await page.locator("h1", { hasText: "Due next" }).waitFor();
  assert.deepEqual(errors.filter((e) => !/status of 4\d\d/.test(e)), [], "nothing blocked by the CSP");
  await context.close();
});
