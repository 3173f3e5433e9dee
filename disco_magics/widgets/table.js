// The experiment table view (anywidget ESM). Every piece of data goes into the DOM as textContent or
// as an attribute value: no innerHTML, no network.
//
// One module, as anywidget loads it, in three layers: plain functions over rows and view state (exported,
// unit-tested by tests/js/table.test.mjs without a browser), small DOM builders that take what they need
// as arguments (a ``view`` object: the model, the per-table state and the row actions), and render(),
// which wires the model's events to them.

const SVG = "http://www.w3.org/2000/svg";
const DASH = "\u2014";

export const STATUS_ORDER = ["draft", "running", "inconclusive", "invalidated", "validated"];
export const VERDICT_ORDER = ["inconclusive", "invalidated", "validated"];

// Column: key, label, how to sort, and whether it is numeric (aligned right).
export const COLUMNS = [
  { key: "id", label: "ID", sort: "natural" },
  { key: "problem", label: "Problem", sort: "natural", onlyMany: true },
  { key: "statement", label: "Hypothesis", sort: "text" },
  { key: "risk", label: "Risk", sort: "text" },
  { key: "metric", label: "Metric", sort: "text" },
  { key: "baseline", label: "Baseline", sort: "number", num: true },
  { key: "target", label: "Target", sort: "number", num: true },
  { key: "observed", label: "Observed", sort: "number", num: true },
  { key: "lift", label: "Lift (95% CI)", sort: "number" },
  { key: "n", label: "n", sort: "number", num: true },
  { key: "p_value", label: "p", sort: "number", num: true },
  { key: "verdict", label: "Verdict", sort: VERDICT_ORDER },
  { key: "status", label: "Status", sort: STATUS_ORDER },
  { key: "decision", label: "Decision", sort: "text" },
  { key: "learning", label: "Learning", sort: "text" },
];

// State that must outlive one view: a display update re-creates the view, and the user's half-typed
// learning, open edits, pending saves and focus must survive that. Keyed by the widget's table_key.
const TABLES = new Map();

export function tableState(key) {
  let state = TABLES.get(key);
  if (!state) {
    state = { drafts: new Map(), pending: new Map(), expanded: new Set(), focus: null, scrollLeft: 0 };
    TABLES.set(key, state);
  }
  return state;
}

// ------------------------------------------------------------------------------------------- helpers

export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  return node;
}

// Numbers as the static table writes them (disco_magics/formats.py: number, p_value_short).
export function fmt(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  if (Number.isInteger(value) && Math.abs(value) >= 1000) return value.toLocaleString("en-US");
  if (Math.abs(value) < 1e-3 && value !== 0) return Number(value.toPrecision(digits)).toString();
  const text = value.toFixed(digits);
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

export function fmtP(value, alpha = 0.05) {
  if (value === null || value === undefined) return DASH;
  if (value < 0.001) return "<0.001";
  // a fourth digit when three would round across alpha (0.0496 is not "0.050")
  const text = value.toFixed(3);
  return Number(text) < alpha !== value < alpha ? value.toFixed(4) : text;
}

export function signed(value) {
  const text = fmt(value);
  return value > 0 ? `+${text}` : text;
}

export function shortStatement(text) {
  const flat = String(text || "").split(/\s+/).filter(Boolean).join(" ");
  return flat.length <= 90 ? flat : `${flat.slice(0, 89).trimEnd()}\u2026`;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function rowKey(row) {
  return `${row.problem}/${row.id}`;
}

export function hasEvidence(row) {
  return row.verdict !== null && row.verdict !== undefined;
}

export function badge(word, extraClass) {
  if (!word) return h("span", { class: "disco-xt-none", text: DASH });
  return h("span", { class: `disco-xt-badge disco-xt-${word} ${extraClass || ""}`.trim(), text: word });
}

// ------------------------------------------------------------------------------------------ sorting

export function compareBy(column) {
  const key = column.key;
  if (Array.isArray(column.sort)) {
    const order = column.sort;
    return (a, b) => order.indexOf(a[key]) - order.indexOf(b[key]);
  }
  if (column.sort === "number") {
    return (a, b) => a[key] - b[key];
  }
  return (a, b) => collator.compare(String(a[key]), String(b[key]));
}

export function sortRows(rows, sort) {
  const natural = (a, b) => collator.compare(a.problem, b.problem) || collator.compare(a.id, b.id);
  const column = COLUMNS.find((c) => c.key === sort.key);
  if (!column) return [...rows].sort(natural);
  const cmp = compareBy(column);
  const empty = (row) => row[column.key] === null || row[column.key] === undefined || row[column.key] === "";
  return [...rows].sort((a, b) => {
    // Empty cells go last whichever the direction: a table sorted by p starts with evidence.
    const ea = empty(a);
    const eb = empty(b);
    if (ea || eb) return ea === eb ? natural(a, b) : ea ? 1 : -1;
    const order = cmp(a, b);
    return (sort.desc ? -order : order) || natural(a, b);
  });
}

export function filterRows(rows, filters) {
  const text = (filters.text || "").trim().toLowerCase();
  return rows.filter((row) => {
    if (filters.problem && row.problem !== filters.problem) return false;
    if (filters.risk && (row.risk || "") !== filters.risk) return false;
    if (filters.status && row.status !== filters.status) return false;
    if (text) {
      const hay = [row.id, row.statement, row.metric, row.learning, row.decision, row.reason]
        .filter(Boolean)
        .join(" ")
        .toLowerCase();
      if (!hay.includes(text)) return false;
    }
    return true;
  });
}

// ---------------------------------------------------------------------------------------- lift bar

// Where the bar's marks go, as x positions on a ``width``-wide axis; null without a lift and its CI.
// The target is drawn at ``row.target_lift``, which Python computed from the result's reference
// (ExperimentRow.target_lift): the same number the static table and the result card mark.
export function liftGeometry(row, width = 92) {
  if (!isNumber(row.lift) || !isNumber(row.ci_low) || !isNumber(row.ci_high)) return null;
  const targetLift = isNumber(row.target_lift) ? row.target_lift : null;
  const points = [0, row.lift, row.ci_low, row.ci_high];
  if (targetLift !== null) points.push(targetLift);
  let lo = Math.min(...points);
  let hi = Math.max(...points);
  const span = hi - lo || 1;
  lo -= span * 0.08;
  hi += span * 0.08;
  const x = (v) => (4 + ((v - lo) / (hi - lo)) * (width - 8)).toFixed(1);
  return {
    zero: x(0),
    ciLow: x(row.ci_low),
    ciHigh: x(row.ci_high),
    point: x(row.lift),
    target: targetLift === null ? null : x(targetLift),
    tone: row.verdict === "validated" ? "good" : row.verdict === "invalidated" ? "bad" : "open",
    label:
      `lift ${signed(row.lift)}, 95% CI ${fmt(row.ci_low)} to ${fmt(row.ci_high)}` +
      (targetLift === null ? "" : `; target lift ${signed(targetLift)}`),
  };
}

function isNumber(value) {
  return typeof value === "number" && !Number.isNaN(value);
}

export function liftBar(row, width = 92, height = 20) {
  const at = liftGeometry(row, width);
  if (!at) return null;
  const { tone, label } = at;
  const node = svg("svg", {
    class: `disco-xt-bar disco-xt-bar-${tone}`,
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": label,
  });
  const title = svg("title", {});
  title.textContent = label;
  node.append(title);
  node.append(svg("line", { class: "zero", x1: at.zero, x2: at.zero, y1: 2, y2: height - 2 }));
  node.append(svg("line", { class: "ci", x1: at.ciLow, x2: at.ciHigh, y1: height / 2, y2: height / 2 }));
  node.append(svg("circle", { class: "point", cx: at.point, cy: height / 2, r: 3.5 }));
  if (at.target !== null) {
    node.append(svg("line", { class: "target", x1: at.target, x2: at.target, y1: 1, y2: height - 1 }));
  }
  return node;
}

// How to read the bar, drawn with the bar's own marks.
export function liftLegend() {
  const node = svg("svg", { class: "disco-xt-bar disco-xt-bar-open", width: 176, height: 14, "aria-hidden": "true" });
  node.append(svg("circle", { class: "point", cx: 5, cy: 7, r: 3.5 }));
  node.append(svg("line", { class: "ci", x1: 42, x2: 58, y1: 7, y2: 7 }));
  node.append(svg("line", { class: "target", x1: 110, x2: 110, y1: 1, y2: 13 }));
  node.append(svg("line", { class: "zero", x1: 158, x2: 158, y1: 1, y2: 13 }));
  const labels = [
    [12, "lift"],
    [63, "95% CI"],
    [114, "target"],
    [162, "0"],
  ];
  for (const [x, text] of labels) {
    const label = svg("text", { x, y: 11 });
    label.textContent = text;
    node.append(label);
  }
  return h("span", { class: "disco-xt-legend", title: "How to read the lift column" }, node);
}

// ------------------------------------------------------------------------------ rows and view state

export function parseRows(text) {
  try {
    const rows = JSON.parse(text || "[]");
    return Array.isArray(rows) ? rows : [];
  } catch (err) {
    console.error("disco experiment table: unreadable rows", err);
    return [];
  }
}

// Rows as a patch from the kernel changes them (see table.py): rows whose key is removed go, upserted rows
// replace theirs in place, new ones are added at the end (the view sorts anyway).
export function applyRowsPatch(rows, patch) {
  const removed = new Set(patch.remove || []);
  const fresh = new Map(parseRows(patch.upsert).map((row) => [rowKey(row), row]));
  const out = [];
  for (const row of rows) {
    const key = rowKey(row);
    if (removed.has(key)) continue;
    if (fresh.has(key)) {
      out.push(fresh.get(key));
      fresh.delete(key);
    } else out.push(row);
  }
  for (const row of fresh.values()) out.push(row);
  return out;
}

// The rows of one widget model, shared by its views: the synced rows_json (parsed once per sync), plus
// the patches the kernel sent since. Keyed by the model's table_key.
const ROWS = new Map();

export function rowStore(model) {
  const key = model.get("table_key");
  let store = ROWS.get(key);
  if (!store) {
    store = {
      seq: null,
      text: null,
      rows: [],
      listeners: new Set(),
      current() {
        const seq = model.get("rows_seq");
        const text = model.get("rows_json") || "[]";
        // Patched rows hold until rows_json is synced whole again (the patches never change it).
        if (seq !== store.seq || text !== store.text) {
          store.seq = seq;
          store.text = text;
          store.rows = parseRows(text);
        }
        return store.rows;
      },
      patch(message) {
        store.rows = applyRowsPatch(store.current(), message);
        for (const listener of store.listeners) listener();
      },
    };
    ROWS.set(key, store);
  }
  return store;
}

// Clicking a column's header: ascending, then descending, then the natural order.
export function nextSort(sort, key) {
  const now = sort || {};
  if (now.key !== key) return { key, desc: false };
  return now.desc ? { key: "", desc: false } : { key, desc: true };
}

export function draftOf(state, row) {
  return state.drafts.get(rowKey(row)) || { decision: row.decision || "", learning: row.learning || "" };
}

export function isDirty(row, draft) {
  return draft.decision !== (row.decision || "") || draft.learning !== (row.learning || "");
}

// The problem column shows when the table spans problems.
export function manyProblems(rows, scope) {
  return scope === null || new Set(rows.map((r) => r.problem)).size > 1;
}

// What a row's DOM depends on: when it is unchanged, the row is reused (and keeps focus and caret).
export function rowSignature(row, many, state, notice) {
  const key = rowKey(row);
  return JSON.stringify([
    row,
    many,
    state.drafts.get(key) || null,
    state.pending.get(key) || null,
    state.expanded.has(key),
    state.noAnswer === key,
    notice.key === key ? notice.seq : null,
  ]);
}

// Answers to saves: a save is over once its notice arrives (its draft goes unless it failed); a draft
// equal to what is stored is no draft.
export function settleSaves(state, notice, rows) {
  for (const [key, request] of state.pending) {
    if (notice.key === key && notice.request === request) {
      state.pending.delete(key);
      if (notice.level !== "error") state.drafts.delete(key);
    }
  }
  for (const row of rows) {
    const draft = state.drafts.get(rowKey(row));
    if (draft && !isDirty(row, draft)) state.drafts.delete(rowKey(row));
  }
}

// The line under a row's learning: { text, level } (level: a disco-xt-<level> class, or null).
export function hintFor(row, draft, state, notice) {
  const key = rowKey(row);
  const dirty = isDirty(row, draft);
  if (dirty && !hasEvidence(row)) return { text: "No result recorded yet: this decision will be flagged.", level: null };
  if (dirty && !draft.decision) return { text: "Choose a decision to save the learning with it.", level: null };
  if (state.noAnswer === key) {
    return {
      text: "No answer from the kernel: is it running? After a restart, run %experiments again.",
      level: "error",
    };
  }
  if (notice.key === key && !dirty) return { text: notice.text, level: notice.level };
  return { text: "", level: null };
}

export function detailItems(row) {
  return [
    ["Hypothesis", row.statement],
    ["Why", row.verdict ? row.reason || row.verdict : "No result recorded yet."],
    ["Looks", String(row.looks || 0)],
    ["Problem", row.problem],
    ["Updated", row.updated_at ? new Date(row.updated_at).toLocaleString() : ""],
  ];
}

// Hypotheses per status, for the chips: [[status, count]] in the order of ``statuses``.
export function statusCounts(rows, statuses) {
  const counts = new Map();
  for (const row of rows) counts.set(row.status, (counts.get(row.status) || 0) + 1);
  return statuses.filter((status) => counts.has(status)).map((status) => [status, counts.get(status)]);
}

export function shownText(shown, total) {
  return shown === total ? `${total} hypotheses` : `showing ${shown} of ${total}`;
}

export function emptyText(total, shown) {
  if (total === 0) return "No hypotheses yet: frame one with %%hypothesis H1 --metric ... --target ...";
  return shown === 0 ? "No hypothesis matches these filters." : "";
}

// The live region's announcement of a notice: a row's notice shows in its row when the row is on screen
// (then the live region only tells screen readers).
export function liveNotice(notice, visible) {
  const inRow = Boolean(notice.key) && visible.some((row) => rowKey(row) === notice.key);
  return {
    text: notice.key ? `${notice.key.split("/").pop()}: ${notice.text}` : notice.text,
    className: `disco-xt-live disco-xt-${notice.level}${inRow ? " disco-xt-sr" : ""}`,
  };
}

// --------------------------------------------------------------------------------------- one row
// The row's DOM, built from the row and a ``view``: { model, state, redrawRow, save, cancel }.


export function cell(view, column, row, many) {
  const td = h("td", { class: `disco-xt-c-${column.key}${column.num ? " num" : ""}` });
  const value = row[column.key];
  switch (column.key) {
    case "id": {
      const open = view.state.expanded.has(rowKey(row));
      td.append(
        h(
          "button",
          {
            type: "button",
            class: "disco-xt-expand",
            "aria-expanded": open ? "true" : "false",
            "aria-label": `${open ? "Hide" : "Show"} details of ${row.id}`,
            onclick: () => {
              if (view.state.expanded.has(rowKey(row))) view.state.expanded.delete(rowKey(row));
              else view.state.expanded.add(rowKey(row));
              view.redrawRow(row);
            },
          },
          h("span", { class: "disco-xt-chevron", "aria-hidden": "true", text: open ? "\u25BE" : "\u25B8" }),
          h("span", { class: "disco-xt-id", text: row.id }),
        ),
      );
      if (row.post_hoc) {
        td.append(
          h("span", {
            class: "disco-xt-flag disco-xt-post-hoc",
            title: "Goalposts moved after data: metric, target or baseline changed after the first result",
            "aria-label": "post hoc",
            text: " \u2691 post hoc",
          }),
        );
      }
      break;
    }
    case "problem":
      td.textContent = row.problem;
      break;
    case "statement": {
      const full = String(row.statement || "");
      td.append(h("span", { class: "disco-xt-statement", title: full, text: shortStatement(full) }));
      break;
    }
    case "risk":
      td.append(value ? h("span", { class: "disco-xt-risk", text: value }) : h("span", { class: "disco-xt-none", text: DASH }));
      break;
    case "metric":
      td.append(h("code", { text: value }));
      break;
    case "baseline":
    case "target":
    case "observed":
      td.textContent = fmt(value);
      if (column.key === "observed" && row.verdict) td.classList.add(`disco-xt-tone-${row.verdict}`);
      break;
    case "lift": {
      if (row.lift === null || row.lift === undefined) {
        td.append(h("span", { class: "disco-xt-none", text: DASH }));
        break;
      }
      const bar = liftBar(row);
      if (bar) td.append(bar);
      td.append(
        h(
          "div",
          { class: "disco-xt-lift" },
          h("span", { class: "disco-xt-lift-value", text: signed(row.lift) }),
          h("span", { class: "disco-xt-ci", text: `[${fmt(row.ci_low)}, ${fmt(row.ci_high)}]` }),
        ),
      );
      break;
    }
    case "n":
      td.textContent = value === null || value === undefined ? DASH : Number(value).toLocaleString("en-US");
      break;
    case "p_value":
      td.textContent = fmtP(value);
      break;
    case "verdict":
      td.append(badge(value));
      if (row.reason) td.title = row.reason;
      if ((row.looks || 0) > 1) td.append(h("div", { class: "disco-xt-looks", text: `look ${row.looks}` }));
      // The last rehearsal (synthetic data), apart from the evidence and never counted as it.
      if (row.rehearsal) {
        td.append(
          h("div", {
            class: "disco-xt-rehearsal",
            text: `rehearsal: ${row.rehearsal}`,
            title: "the latest rehearsal on synthetic data: not evidence",
          }),
        );
      }
      break;
    case "status":
      td.append(badge(value));
      break;
    case "decision":
      td.append(decisionControl(view, row));
      break;
    case "learning":
      td.append(learningControl(view, row));
      break;
    default:
      td.textContent = value === null || value === undefined ? "" : String(value);
  }
  if (column.onlyMany && !many) td.hidden = true;
  return td;
}

export function decisionControl(view, row) {
  const draft = draftOf(view.state, row);
  const pending = view.state.pending.has(rowKey(row));
  const select = h("select", {
    class: `disco-xt-decision disco-xt-${draft.decision || "undecided"}`,
    "aria-label": `Decision for ${row.id}`,
    "data-field": "decision",
    disabled: pending,
  });
  select.append(h("option", { value: "", text: "decide\u2026", disabled: true }));
  for (const option of view.model.get("decisions")) select.append(h("option", { value: option, text: option }));
  select.value = draft.decision;
  select.addEventListener("change", () => {
    view.state.drafts.set(rowKey(row), { ...draftOf(view.state, row), decision: select.value });
    view.redrawRow(row, "decision");
  });
  const wrap = h("div", { class: "disco-xt-decide" }, select);
  if (row.decision && row.without_evidence) {
    wrap.append(
      h("span", {
        class: "disco-xt-flag",
        title: "Decided before any result was recorded",
        "aria-label": "decided without evidence",
        text: "\u2691 no evidence",
      }),
    );
  }
  return wrap;
}

export function learningControl(view, row) {
  const key = rowKey(row);
  const draft = draftOf(view.state, row);
  const pending = view.state.pending.has(key);
  const dirty = isDirty(row, draft);
  const area = h("textarea", {
    class: "disco-xt-learning",
    rows: 1,
    maxlength: 20000,
    placeholder: "What did we learn?",
    "aria-label": `Learning for ${row.id}`,
    "data-field": "learning",
    disabled: pending,
  });
  area.value = draft.learning;
  const grow = () => {
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight + 2, 160)}px`;
  };
  requestAnimationFrame(grow);
  const saveButton = h("button", {
    type: "button",
    class: "disco-xt-save",
    "aria-label": `Save decision for ${row.id}`,
    text: pending ? "Saving\u2026" : "Save",
    disabled: pending || !dirty || !draft.decision,
    onclick: () => view.save(row),
  });
  const cancelButton = h("button", {
    type: "button",
    class: "disco-xt-cancel",
    "aria-label": `Cancel changes to ${row.id}`,
    text: "Cancel",
    onclick: () => view.cancel(row),
  });
  const actions = h("div", { class: "disco-xt-actions" }, saveButton, cancelButton);
  actions.hidden = !dirty && !pending;
  const said = hintFor(row, draft, view.state, view.model.get("notice") || {});
  const hint = h("div", { class: `disco-xt-hint${said.level ? ` disco-xt-${said.level}` : ""}`, text: said.text });
  hint.hidden = !said.text;
  area.addEventListener("input", () => {
    view.state.drafts.set(key, { ...draftOf(view.state, row), learning: area.value });
    grow();
    const d = draftOf(view.state, row);
    const isNowDirty = isDirty(row, d);
    actions.hidden = !isNowDirty;
    saveButton.disabled = !isNowDirty || !d.decision;
  });
  area.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      view.save(row);
    } else if (event.key === "Escape") {
      event.preventDefault();
      view.cancel(row);
    }
  });
  return h("div", { class: "disco-xt-learn" }, area, actions, hint);
}

// Status chips: counts that read at a glance; a click filters by that status (again: clears it).
export function statusChips(counts, activeStatus, setFilter) {
  return counts.map(([status, count]) => {
    const active = activeStatus === status;
    return h(
      "button",
      {
        type: "button",
        class: `disco-xt-chip disco-xt-${status}${active ? " active" : ""}`,
        "aria-pressed": active ? "true" : "false",
        "aria-label": `${count} ${status}`,
        onclick: () => setFilter("status", active ? "" : status),
      },
      h("b", { text: String(count) }),
      ` ${status}`,
    );
  });
}

// The header: one sort button per column, the sorted one marked for sight and for screen readers.
export function headerRow(sort, many, sortBy) {
  const headRow = h("tr");
  for (const column of COLUMNS) {
    const sorted = sort.key === column.key;
    const th = h("th", {
      scope: "col",
      class: `disco-xt-c-${column.key}${column.num ? " num" : ""}`,
      "aria-sort": sorted ? (sort.desc ? "descending" : "ascending") : "none",
    });
    th.append(
      h(
        "button",
        { type: "button", class: "disco-xt-sort", onclick: () => sortBy(column.key) },
        column.label,
        h("span", { class: "disco-xt-arrow", "aria-hidden": "true", text: sorted ? (sort.desc ? "\u25BC" : "\u25B2") : "" }),
      ),
    );
    if (column.onlyMany && !many) th.hidden = true;
    headRow.append(th);
  }
  return headRow;
}

// One hypothesis = one <tbody>: its row, and its details when open.
export function buildRow(view, row, many) {
  const tr = h("tr", {
    "data-key": rowKey(row),
    "data-hypothesis": row.id,
    class: `disco-xt-row disco-xt-row-${row.status}`,
  });
  for (const column of COLUMNS) tr.append(cell(view, column, row, many));
  const group = h("tbody", { class: "disco-xt-group", "data-key": rowKey(row) }, tr);
  if (view.state.expanded.has(rowKey(row))) group.append(detailsRow(row));
  return group;
}

export function detailsRow(row) {
  const list = h("dl", { class: "disco-xt-details" });
  for (const [term, text] of detailItems(row)) list.append(h("dt", { text: term }), h("dd", { text }));
  return h(
    "tr",
    { class: `disco-xt-detail disco-xt-row-${row.status}` },
    h("td", { colspan: COLUMNS.length }, list),
  );
}

// ------------------------------------------------------------------------------------------- render

// Once per model, before any view: rows patches apply even while no view is shown.
function initialize({ model }) {
  const store = rowStore(model);
  const onMessage = (message) => {
    if (message && message.type === "rows") store.patch(message);
  };
  model.on("msg:custom", onMessage);
  return () => {
    model.off("msg:custom", onMessage);
    ROWS.delete(model.get("table_key"));
  };
}

function render({ model, el }) {
  const state = tableState(model.get("table_key"));

  // The rows travel as one JSON text, then as patches (see table.py); parsed once per sync.
  const rowSource = rowStore(model);
  function currentRows() {
    return rowSource.current();
  }
  const rowNodes = new Map(); // rowKey -> { tr, sig }
  let stale = false;
  let disposed = false;

  el.classList.add("disco-xt");
  const title = h("span", { class: "disco-xt-title", text: "Experiments" });
  const scope = h("span", { class: "disco-xt-scope" });
  const summary = h("span", { class: "disco-xt-summary", role: "group", "aria-label": "Hypotheses by status" });
  const updated = h("span", { class: "disco-xt-updated" });
  const header = h("div", { class: "disco-xt-header" }, title, scope, summary, updated);

  const problemSelect = h("select", { "aria-label": "Filter by problem" });
  const riskSelect = h("select", { "aria-label": "Filter by risk" });
  const statusSelect = h("select", { "aria-label": "Filter by status" });
  const search = h("input", { type: "search", placeholder: "Search", "aria-label": "Search hypotheses" });
  const shown = h("span", { class: "disco-xt-shown", role: "status" });
  const problemLabel = h("label", {}, "Problem ", problemSelect);
  const controls = h(
    "div",
    { class: "disco-xt-controls" },
    problemLabel,
    h("label", {}, "Risk ", riskSelect),
    h("label", {}, "Status ", statusSelect),
    search,
    shown,
    liftLegend(),
  );

  const thead = h("thead");
  const table = h("table", { class: "disco-xt-table" }, thead);
  const scroller = h("div", { class: "disco-xt-scroll" }, table);
  const empty = h("div", { class: "disco-xt-empty" });
  const live = h("div", { class: "disco-xt-live", role: "status", "aria-live": "polite" });
  el.replaceChildren(header, controls, scroller, empty, live);

  scroller.addEventListener("scroll", () => {
    state.scrollLeft = scroller.scrollLeft;
  });

  // -- filters and sort live on the model, so another view (or a re-created one) shows the same

  function setFilter(name, value) {
    model.set("filters", { ...model.get("filters"), [name]: value });
    model.save_changes();
  }
  problemSelect.addEventListener("change", () => setFilter("problem", problemSelect.value));
  riskSelect.addEventListener("change", () => setFilter("risk", riskSelect.value));
  statusSelect.addEventListener("change", () => setFilter("status", statusSelect.value));
  let searchTimer = null;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => setFilter("text", search.value), 150);
  });

  function fillSelect(select, values, current, allLabel) {
    const options = [h("option", { value: "", text: allLabel })];
    for (const value of values) options.push(h("option", { value, text: value }));
    select.replaceChildren(...options);
    select.value = values.includes(current) ? current : "";
  }

  function sortBy(key) {
    model.set("sort", nextSort(model.get("sort"), key));
    model.save_changes();
  }

  // -- decisions (saving and cancelling a row's draft)

  let requestSeq = Date.now();

  function save(row) {
    const key = rowKey(row);
    const draft = draftOf(state, row);
    if (!draft.decision || state.pending.has(key)) return;
    const request = ++requestSeq;
    state.pending.set(key, request);
    if (state.noAnswer === key) state.noAnswer = null;
    model.send({
      type: "decide",
      problem: row.problem,
      id: row.id,
      decision: draft.decision,
      learning: draft.learning,
      request,
    });
    redrawRow(row);
    setTimeout(() => {
      if (state.pending.get(key) === request) {
        state.pending.delete(key);
        state.noAnswer = key;
        redraw();
      }
    }, 15000);
  }

  function cancel(row) {
    state.drafts.delete(rowKey(row));
    redrawRow(row);
  }

  // What the row builders need from this view (function declarations: hoisted, so redrawRow is ready).
  const view = { model, state, redrawRow, save, cancel };

  function rememberFocus(event) {
    const target = event.target;
    const tr = target.closest && target.closest("tr[data-key]");
    if (!tr || !target.dataset.field) return;
    state.focus = {
      row: tr.dataset.key,
      field: target.dataset.field,
      start: target.selectionStart ?? null,
      end: target.selectionEnd ?? null,
    };
  }
  table.addEventListener("focusin", rememberFocus);
  table.addEventListener("keyup", rememberFocus);
  table.addEventListener("click", rememberFocus);
  table.addEventListener("focusout", (event) => {
    // Focus moved somewhere on purpose: forget it. (A removed node has no relatedTarget: keep it,
    // so the re-created view can put the caret back.)
    if (event.relatedTarget && !table.contains(event.relatedTarget)) state.focus = null;
  });

  function restoreFocus() {
    const focus = state.focus;
    if (!focus) return;
    const active = document.activeElement;
    if (active && active !== document.body && !el.contains(active)) return; // never steal focus
    const group = rowNodes.get(focus.row)?.group;
    const target = group && group.querySelector(`[data-field="${focus.field}"]`);
    if (!target || target === active) return;
    target.focus({ preventScroll: true });
    if (focus.start !== null && typeof target.setSelectionRange === "function") {
      try {
        target.setSelectionRange(focus.start, focus.end);
      } catch (_err) {
        // not a text field
      }
    }
  }

  function redrawRow(row, focusField) {
    const key = rowKey(row);
    const current = currentRows().find((r) => rowKey(r) === key) || row;
    const old = rowNodes.get(key);
    const many = manyProblems(currentRows(), model.get("scope"));
    const group = buildRow(view, current, many);
    rowNodes.set(key, { group, sig: rowSignature(current, many, state, model.get("notice") || {}) });
    if (old && old.group.parentNode) old.group.replaceWith(group);
    if (focusField) group.querySelector(`[data-field="${focusField}"]`)?.focus({ preventScroll: true });
  }

  // -- the whole table

  function redraw() {
    if (disposed) return;
    if (!el.isConnected && rendered) {
      stale = true; // a detached view (replaced, or scrolled out of a windowed notebook): catch up later
      return;
    }
    stale = false;
    const rows = currentRows();
    const filters = model.get("filters") || {};
    const sort = model.get("sort") || { key: "", desc: false };
    const many = manyProblems(rows, model.get("scope"));
    const notice = model.get("notice") || {};
    settleSaves(state, notice, rows);

    const problem = model.get("scope");
    scope.textContent = problem ? `problem ${problem}` : "all problems";
    const stamp = model.get("generated_at");
    updated.textContent = stamp ? `updated ${new Date(stamp).toLocaleTimeString()}` : "";

    summary.replaceChildren(...statusChips(statusCounts(rows, model.get("statuses")), filters.status, setFilter));

    const problems = [...new Set(rows.map((r) => r.problem))].sort(collator.compare);
    fillSelect(problemSelect, problems, filters.problem || "", "all");
    problemLabel.hidden = !many;
    fillSelect(riskSelect, model.get("risks"), filters.risk || "", "all");
    fillSelect(statusSelect, model.get("statuses"), filters.status || "", "all");
    if (document.activeElement !== search) search.value = filters.text || "";

    thead.replaceChildren(headerRow(sort, many, sortBy));

    // Body: reuse the rows that did not change, so a focused field keeps its focus and caret.
    const visible = sortRows(filterRows(rows, filters), sort);
    const wanted = new Set();
    const ordered = [];
    for (const row of visible) {
      const key = rowKey(row);
      wanted.add(key);
      const sig = rowSignature(row, many, state, notice);
      let entry = rowNodes.get(key);
      if (!entry || entry.sig !== sig) {
        const group = buildRow(view, row, many);
        if (entry && entry.group.parentNode === table) entry.group.replaceWith(group);
        entry = { group, sig };
        rowNodes.set(key, entry);
      }
      ordered.push(entry.group);
    }
    for (const [key, entry] of rowNodes) {
      if (!wanted.has(key)) {
        entry.group.remove();
        rowNodes.delete(key);
      }
    }
    // Move only what is out of place: moving the group that holds the focus would drop the focus.
    ordered.forEach((group, index) => {
      const at = table.children[index + 1] || null; // children[0] is the thead
      if (at !== group) table.insertBefore(group, at);
    });

    shown.textContent = shownText(visible.length, rows.length);
    empty.textContent = emptyText(rows.length, visible.length);
    empty.hidden = !empty.textContent;
    table.hidden = visible.length === 0;

    if (notice.seq && notice.seq !== state.announced) {
      state.announced = notice.seq;
      const said = liveNotice(notice, visible);
      live.textContent = said.text;
      live.className = said.className;
    }
    restoreFocus();
    if (state.scrollLeft && scroller.scrollLeft !== state.scrollLeft) scroller.scrollLeft = state.scrollLeft;
    rendered = true;
  }

  let rendered = false;
  const onChange = () => redraw();
  const keys = [
    "rows_json", "rows_seq", "sort", "filters", "notice", "scope", "generated_at", "decisions", "statuses", "risks",
  ];
  for (const key of keys) model.on(`change:${key}`, onChange);
  rowSource.listeners.add(onChange);

  // A view detached while data changed re-renders when it shows again.
  let observer = null;
  if (typeof IntersectionObserver !== "undefined") {
    observer = new IntersectionObserver((entries) => {
      if (stale && entries.some((e) => e.isIntersecting)) redraw();
    });
    observer.observe(el);
  }

  redraw();
  requestAnimationFrame(() => {
    restoreFocus();
    if (state.scrollLeft) scroller.scrollLeft = state.scrollLeft;
  });

  return () => {
    disposed = true;
    for (const key of keys) model.off(`change:${key}`, onChange);
    rowSource.listeners.delete(onChange);
    if (observer) observer.disconnect();
  };
}

export default { initialize, render };
