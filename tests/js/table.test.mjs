// Unit tests of the experiment table widget's front end (disco_magics/widgets/table.js), with node's own
// test runner: `node --test tests/js/`. The module is loaded from its text, as anywidget loads it. The DOM
// tests use jsdom from the lab extension's dev dependencies (labextension/node_modules), as its jest does.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, it, before } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const source = readFileSync(join(ROOT, "disco_magics", "widgets", "table.js"), "utf8");
const t = await import(`data:text/javascript,${encodeURIComponent(source)}`);

function row(overrides = {}) {
  return {
    id: "H1",
    problem: "onboarding",
    statement: "We believe a checklist gets admins to invite a teammate.",
    risk: "value",
    metric: "invite_rate",
    baseline: 0.18,
    target: 0.3,
    observed: 0.27,
    lift: 0.09,
    ci_low: 0.066,
    ci_high: 0.114,
    target_lift: 0.12,
    n: 4800,
    p_value: 0.0001,
    verdict: "inconclusive",
    reason: "below target",
    looks: 1,
    status: "inconclusive",
    decision: null,
    learning: "",
    without_evidence: false,
    updated_at: "2026-03-02T09:00:00Z",
    ...overrides,
  };
}

function viewState() {
  return { drafts: new Map(), pending: new Map(), expanded: new Set(), focus: null, scrollLeft: 0 };
}

describe("numbers", () => {
  it("formats like disco_magics/formats.py", () => {
    assert.equal(t.fmt(null), "\u2014");
    assert.equal(t.fmt(0.18), "0.18");
    assert.equal(t.fmt(2400), "2,400");
    assert.equal(t.signed(0.09), "+0.09");
  });

  it("never rounds a p-value across 0.05", () => {
    assert.equal(t.fmtP(0.0496), "0.0496");
    assert.equal(t.fmtP(0.0504), "0.050");
    assert.equal(t.fmtP(0.2), "0.200");
    assert.equal(t.fmtP(0.0004), "<0.001");
    assert.equal(t.fmtP(null), "\u2014");
  });
});

describe("rows", () => {
  const rows = [
    row({ id: "H10", p_value: null, status: "draft", verdict: null }),
    row({ id: "H2", p_value: 0.2, status: "invalidated", verdict: "invalidated", learning: "nobody cared" }),
    row({ id: "H1", p_value: 0.01, status: "validated", verdict: "validated", risk: "usability" }),
  ];

  it("sorts numbers either way with empty cells last, and ties in natural order", () => {
    assert.deepEqual(t.sortRows(rows, { key: "p_value", desc: false }).map((r) => r.id), ["H1", "H2", "H10"]);
    assert.deepEqual(t.sortRows(rows, { key: "p_value", desc: true }).map((r) => r.id), ["H2", "H1", "H10"]);
    assert.deepEqual(t.sortRows(rows, { key: "", desc: false }).map((r) => r.id), ["H1", "H2", "H10"]);
    assert.deepEqual(t.sortRows(rows, { key: "status", desc: false }).map((r) => r.id), ["H10", "H2", "H1"]);
  });

  it("filters by risk, status and words anywhere in the row", () => {
    assert.deepEqual(t.filterRows(rows, { risk: "usability" }).map((r) => r.id), ["H1"]);
    assert.deepEqual(t.filterRows(rows, { status: "draft" }).map((r) => r.id), ["H10"]);
    assert.deepEqual(t.filterRows(rows, { text: "  NOBODY " }).map((r) => r.id), ["H2"]);
  });

  it("cycles a column's sort: ascending, descending, natural", () => {
    const first = t.nextSort({ key: "", desc: false }, "n");
    const second = t.nextSort(first, "n");
    assert.deepEqual([first, second, t.nextSort(second, "n")], [
      { key: "n", desc: false },
      { key: "n", desc: true },
      { key: "", desc: false },
    ]);
    assert.deepEqual(t.nextSort(second, "p_value"), { key: "p_value", desc: false });
    assert.deepEqual(t.nextSort(undefined, "id"), { key: "id", desc: false });
  });

  it("reads unreadable rows as none", () => {
    const error = console.error;
    console.error = () => {};
    try {
      assert.deepEqual(t.parseRows("{not json"), []);
      assert.deepEqual(t.parseRows('{"id": "H1"}'), []);
    } finally {
      console.error = error;
    }
    assert.equal(t.parseRows(JSON.stringify([row()]))[0].id, "H1");
  });

  it("counts statuses in the given order and words what is shown", () => {
    assert.deepEqual(t.statusCounts([...rows, row({ status: "draft" })], ["draft", "running", "validated"]), [
      ["draft", 2],
      ["validated", 1],
    ]);
    assert.equal(t.shownText(3, 3), "3 hypotheses");
    assert.equal(t.shownText(1, 3), "showing 1 of 3");
    assert.match(t.emptyText(0, 0), /^No hypotheses yet/);
    assert.equal(t.emptyText(3, 0), "No hypothesis matches these filters.");
    assert.equal(t.emptyText(3, 3), "");
    assert.equal(t.manyProblems(rows, "onboarding"), false);
    assert.equal(t.manyProblems(rows, null), true);
    assert.equal(t.manyProblems([...rows, row({ problem: "pricing" })], "onboarding"), true);
  });
});

describe("the lift bar", () => {
  it("marks the target at target_lift, the number Python sent", () => {
    // CI +0.066..+0.114 and a target lift of +0.10: the target sits inside the interval
    const at = t.liftGeometry(row({ target_lift: 0.1 }));
    assert.ok(Number(at.ciLow) < Number(at.target) && Number(at.target) < Number(at.ciHigh));
    // the baseline no longer moves it
    assert.deepEqual(t.liftGeometry(row({ target_lift: 0.1, baseline: 0.05 })), at);
    assert.equal(at.tone, "open");
    assert.match(at.label, /; target lift \+0\.1$/);
  });

  it("draws no target without target_lift, and nothing without a lift", () => {
    assert.equal(t.liftGeometry(row({ target_lift: null })).target, null);
    assert.equal(t.liftGeometry(row({ target_lift: undefined })).target, null);
    assert.equal(t.liftGeometry(row({ lift: null })), null);
    assert.equal(t.liftGeometry(row({ verdict: "validated" })).tone, "good");
  });
});

describe("decisions", () => {
  it("settles a save when its notice arrives, keeping the draft when the save failed", () => {
    const state = viewState();
    state.pending.set("onboarding/H1", 7);
    state.drafts.set("onboarding/H1", { decision: "kill", learning: "x" });
    t.settleSaves(state, { key: "onboarding/H1", request: 6, level: "ok" }, [row()]);
    assert.equal(state.pending.size, 1); // an older request's answer settles nothing
    t.settleSaves(state, { key: "onboarding/H1", request: 7, level: "error" }, [row()]);
    assert.equal(state.pending.size, 0);
    assert.deepEqual(state.drafts.get("onboarding/H1"), { decision: "kill", learning: "x" });
    t.settleSaves(state, {}, [row({ decision: "kill", learning: "x" })]); // now stored: no draft left
    assert.equal(state.drafts.size, 0);
  });

  it("says what a draft needs, or what the kernel answered", () => {
    const state = viewState();
    const draft = { decision: "", learning: "maybe" };
    assert.match(t.hintFor(row(), draft, state, {}).text, /^Choose a decision/);
    assert.match(t.hintFor(row({ verdict: null }), draft, state, {}).text, /flagged/);
    state.noAnswer = "onboarding/H1";
    assert.equal(t.hintFor(row(), t.draftOf(state, row()), state, {}).level, "error");
    state.noAnswer = null;
    const notice = { key: "onboarding/H1", text: "saved", level: "ok" };
    assert.deepEqual(t.hintFor(row(), t.draftOf(state, row()), state, notice), { text: "saved", level: "ok" });
    assert.deepEqual(t.hintFor(row(), t.draftOf(state, row()), state, {}), { text: "", level: null });
  });

  it("rebuilds a row only when what it shows changed", () => {
    const state = viewState();
    const before = t.rowSignature(row(), false, state, {});
    assert.equal(t.rowSignature(row(), false, state, { key: "onboarding/H2", seq: 3 }), before);
    state.drafts.set("onboarding/H1", { decision: "pivot", learning: "" });
    assert.notEqual(t.rowSignature(row(), false, state, {}), before);
  });

  it("announces a notice in the live region, quietly when its row shows it", () => {
    const notice = { key: "onboarding/H1", text: "saved", level: "ok" };
    assert.deepEqual(t.liveNotice(notice, [row()]), {
      text: "H1: saved",
      className: "disco-xt-live disco-xt-ok disco-xt-sr",
    });
    assert.equal(t.liveNotice(notice, []).className, "disco-xt-live disco-xt-ok");
  });
});

// ------------------------------------------------------------------------------------------- DOM

let jsdom = null;
try {
  jsdom = createRequire(join(ROOT, "labextension", "package.json"))("jsdom");
} catch {
  // the lab extension's dev dependencies are not installed: the DOM tests are skipped, not faked
}

describe("the DOM", { skip: jsdom ? false : "jsdom is not installed (jlpm install in labextension/)" }, () => {
  before(() => {
    const { window } = new jsdom.JSDOM("<!doctype html><body></body>");
    for (const name of ["document", "Node", "HTMLElement", "Event", "KeyboardEvent"]) globalThis[name] = window[name];
    globalThis.requestAnimationFrame = (fn) => setTimeout(fn, 0);
  });

  it("draws the bar's marks where the geometry says", () => {
    const bar = t.liftBar(row({ target_lift: 0.1 }));
    const at = t.liftGeometry(row({ target_lift: 0.1 }));
    assert.equal(bar.querySelector("line.target").getAttribute("x1"), at.target);
    assert.equal(bar.querySelector("circle.point").getAttribute("cx"), at.point);
    assert.equal(bar.getAttribute("aria-label"), at.label);
    assert.equal(bar.querySelector("title").textContent, at.label);
  });

  it("puts text in as text, never as markup", () => {
    const node = t.h("span", { text: "<img src=x onerror=alert(1)>" });
    assert.equal(node.children.length, 0);
    assert.equal(node.textContent, "<img src=x onerror=alert(1)>");
  });

  it("flags a hypothesis whose goalposts moved after data", () => {
    const view = { state: viewState(), model: { get: () => ({}) }, redrawRow() {}, save() {}, cancel() {} };
    const idColumn = t.COLUMNS.find((c) => c.key === "id");
    assert.match(t.cell(view, idColumn, row({ post_hoc: true }), false).textContent, /post hoc/);
    assert.doesNotMatch(t.cell(view, idColumn, row(), false).textContent, /post hoc/);
  });

  it("shows the last rehearsal under the verdict, apart and said not to be evidence", () => {
    const view = { state: viewState(), model: { get: () => ({}) }, redrawRow() {}, save() {}, cancel() {} };
    const verdictColumn = t.COLUMNS.find((c) => c.key === "verdict");
    const td = t.cell(view, verdictColumn, row({ verdict: null, status: "draft", rehearsal: "validated" }), false);
    const note = td.querySelector(".disco-xt-rehearsal");
    assert.equal(note.textContent, "rehearsal: validated");
    assert.match(note.getAttribute("title"), /not evidence/);
    assert.equal(t.cell(view, verdictColumn, row(), false).querySelector(".disco-xt-rehearsal"), null);
  });

  it("marks the sorted column and filters by a chip", () => {
    const head = t.headerRow({ key: "p_value", desc: true }, false, () => {});
    const sorted = [...head.querySelectorAll("th")].filter((th) => th.getAttribute("aria-sort") !== "none");
    assert.deepEqual(sorted.map((th) => [th.className, th.getAttribute("aria-sort")]), [["disco-xt-c-p_value num", "descending"]]);
    assert.equal(head.querySelector("th.disco-xt-c-problem").hidden, true);
    const calls = [];
    const chips = t.statusChips([["validated", 2]], "validated", (name, value) => calls.push([name, value]));
    chips[0].click();
    assert.deepEqual(calls, [["status", ""]]);
    assert.equal(chips[0].getAttribute("aria-label"), "2 validated");
  });

  it("renders a model's rows, sorts on a header click and sends a decision", async () => {
    const values = {
      table_key: "test-render",
      rows_json: JSON.stringify([row(), row({ id: "H2", p_value: 0.3, verdict: "invalidated", status: "invalidated" })]),
      sort: { key: "", desc: false },
      filters: {},
      notice: {},
      scope: "onboarding",
      generated_at: null,
      decisions: ["persevere", "pivot", "kill", "iterate"],
      statuses: ["draft", "running", "inconclusive", "invalidated", "validated"],
      risks: ["value", "usability", "feasibility", "viability"],
    };
    const listeners = new Map();
    const sent = [];
    const model = {
      get: (key) => values[key],
      set: (key, value) => {
        values[key] = value;
      },
      save_changes: () => (listeners.get("change:sort") || []).forEach((fn) => fn()),
      on: (event, fn) => listeners.set(event, [...(listeners.get(event) || []), fn]),
      off: (event, fn) => listeners.set(event, (listeners.get(event) || []).filter((f) => f !== fn)),
      send: (message) => sent.push(message),
    };
    const el = document.createElement("div");
    document.body.append(el);
    // the save's 15 s "no answer" timer is kept, not scheduled: the test calls it when it wants
    const late = [];
    const realSetTimeout = globalThis.setTimeout;
    globalThis.setTimeout = (fn, ms) => (ms >= 10000 ? late.push(fn) : realSetTimeout(fn, ms));
    const dispose = t.default.render({ model, el });
    const ids = () => [...el.querySelectorAll("tr.disco-xt-row")].map((tr) => tr.dataset.hypothesis);
    assert.deepEqual(ids(), ["H1", "H2"]);
    assert.equal(el.querySelector(".disco-xt-shown").textContent, "2 hypotheses");
    assert.equal(el.querySelector("tr[data-hypothesis='H2'] td.disco-xt-c-p_value").textContent, "0.300");

    const pHeader = el.querySelector("th.disco-xt-c-p_value button");
    pHeader.click();
    pHeader.click(); // descending
    assert.deepEqual(values.sort, { key: "p_value", desc: true });
    assert.deepEqual(ids(), ["H2", "H1"]);

    const select = el.querySelector("tr[data-hypothesis='H1'] select.disco-xt-decision");
    select.value = "kill";
    select.dispatchEvent(new Event("change"));
    el.querySelector("tr[data-hypothesis='H1'] button.disco-xt-save").click();
    assert.equal(sent.length, 1);
    assert.deepEqual({ ...sent[0], request: undefined }, {
      type: "decide", problem: "onboarding", id: "H1", decision: "kill", learning: "", request: undefined,
    });
    assert.equal(el.querySelector("tr[data-hypothesis='H1'] button.disco-xt-save").textContent, "Saving\u2026");
    // no answer from the kernel: the row says so
    late.forEach((fn) => fn());
    assert.match(el.querySelector("tr[data-hypothesis='H1'] .disco-xt-hint").textContent, /^No answer from the kernel/);
    globalThis.setTimeout = realSetTimeout;
    dispose();
    el.remove();
  });
});

describe("rows patches from the kernel", () => {
  const r = (id, extra = {}) => row({ id, problem: "p", ...extra });
  const ids = (rows) => rows.map((x) => x.id + (x.verdict ? `:${x.verdict}` : "") + (x.n ? `:${x.n}` : ""));

  it("removes, replaces in place and appends", () => {
    const rows = [r("H1", { verdict: null, n: null }), r("H2", { verdict: null, n: null }), r("H3", { verdict: null, n: null })];
    const patched = t.applyRowsPatch(rows, {
      upsert: JSON.stringify([r("H2", { verdict: "validated", n: null }), r("H4", { verdict: null, n: null })]),
      remove: ["p/H1"],
    });
    assert.deepEqual(ids(patched), ["H2:validated", "H3", "H4"]);
  });

  it("keeps one row store per model: the synced text, each patch since, then a new sync", () => {
    const handlers = new Map();
    const state = {
      table_key: "patch-test",
      rows_seq: 1,
      rows_json: JSON.stringify([r("H1", { verdict: null, n: null }), r("H2", { verdict: null, n: null })]),
    };
    const model = {
      get: (key) => state[key],
      on: (event, fn) => handlers.set(event, fn),
      off: (event) => handlers.delete(event),
    };
    const cleanup = t.default.initialize({ model });
    const store = t.rowStore(model);
    let redraws = 0;
    store.listeners.add(() => (redraws += 1));
    assert.deepEqual(ids(store.current()), ["H1", "H2"]);
    handlers.get("msg:custom")({ type: "rows", upsert: JSON.stringify([r("H2", { verdict: null, n: 5 })]), remove: [] });
    handlers.get("msg:custom")({ type: "something else" });
    handlers.get("msg:custom")({ type: "rows", upsert: JSON.stringify([r("H3", { verdict: null, n: null })]), remove: ["p/H1"] });
    assert.deepEqual(ids(store.current()), ["H2:5", "H3"]);
    assert.equal(redraws, 2);
    state.rows_seq = 2; // synced whole again: the patches are behind it
    state.rows_json = JSON.stringify([r("H9", { verdict: null, n: null })]);
    assert.deepEqual(ids(store.current()), ["H9"]);
    cleanup();
    assert.equal(handlers.has("msg:custom"), false);
  });
});
