// 问政数据看板: hash routes (#/ 排名, #/unit/名称, #/issues, #/search, #/case/编号) over the JSON API.
// Every text goes in with textContent; the only markup built from data is <mark>, from offsets.
"use strict";

const state = { token: sessionStorage.getItem("wenzheng-token") || "", role: null, units: null };
const ROLE_NAMES = { viewer: "查看员", analyst: "分析员", supervisor: "督查员" };
const RANK = { viewer: 1, analyst: 2, supervisor: 3 };
// The score components (0–100), named as in the annual report; not "回复率": the unit table
// below has the response rate itself under that name.
const COMPONENTS = [
  ["response", "响应"], ["timeliness", "时效"], ["quality", "质量"],
  ["resolution", "解决"], ["satisfaction", "满意"],
];
const FLAG_NAMES = { evasive: "推诿", vague: "敷衍", overdue: "超时" };
// The notice's names (reports/src/notice/mod.rs evidence_kind_label), so that the dashboard and
// the published notice call the same evidence by the same words.
const SIGNAL_NAMES = {
  acknowledgement: "仅告知收悉", forwarded_to_unit: "转办（点名单位）", forwarded_unnamed: "转“相关部门”",
  deflection: "推诿", refusal: "无理由拒绝", generic_promise: "空泛承诺", rule_quote: "照搬规定",
  unanswered_question: "未回应的诉求", off_topic: "答非所问", pending: "办理中、未办结",
  wording: "措辞（评分模型依据）", nothing_specific: "无具体内容",
};

// ---- small helpers ----
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function fmt(value, digits) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(digits ?? 1);
  return String(value);
}

function pct(value) {
  return typeof value === "number" ? (value * 100).toFixed(1) + "%" : "—";
}

function day(text) {
  return text ? String(text).slice(0, 10) : "—";
}

// The text with the character ranges [start, end) wrapped in <mark> (overlaps merged).
function marked(text, ranges, titles) {
  const chars = Array.from(text || "");
  const spans = (ranges || [])
    .map((r, i) => ({ start: Math.max(0, r[0]), end: Math.min(chars.length, r[1]), title: titles ? titles[i] : null }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const out = el("span", { class: "text" });
  let at = 0;
  for (const span of spans) {
    if (span.end <= at) continue;
    const start = Math.max(span.start, at);
    if (start > at) out.append(chars.slice(at, start).join(""));
    const mark = el("mark", {}, chars.slice(start, span.end).join(""));
    if (span.title) mark.title = span.title;
    out.append(mark);
    at = span.end;
  }
  if (at < chars.length) out.append(chars.slice(at).join(""));
  return out;
}

class HttpError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: "Bearer " + state.token } });
  if (response.status === 401) { logout("令牌无效或已过期，请重新登录。"); throw new HttpError(401, "unauthorized", "未登录"); }
  if (!response.ok) {
    let body = {};
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    const error = body.error || {};
    throw new HttpError(response.status, error.code || "http", error.message || response.statusText);
  }
  return response.json();
}

// A chart fetched with the token (an <img> cannot send it) and shown from a blob URL.
function chart(path, alt) {
  const img = el("img", { class: "chart", alt });
  const box = el("figure", { class: "chart-box" }, img);
  fetch(path, { headers: { Authorization: "Bearer " + state.token } })
    .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(r.status === 404 ? "暂无此图表" : "图表加载失败"))))
    .then((blob) => { img.src = URL.createObjectURL(blob); })
    .catch((e) => box.replaceChildren(el("p", { class: "note" }, alt + "：" + e.message)));
  return box;
}

function note(text) { return el("p", { class: "note" }, text); }

// What each error code of the API means, in Chinese; the API's own message (English, with the
// hint of what to do) follows as the detail.
const ERROR_NAMES = {
  bad_parameter: "请求参数有误",
  bad_query: "检索语句无法识别（引号、括号须成对，AND / OR / NOT 前后须有词）",
  unknown_unit: "没有这个单位",
  unknown_post: "没有这条留言",
  unknown_chart: "没有这个图表",
  unknown_path: "没有这个页面",
  unavailable: "检索索引暂不可用，请先运行 wenzheng index",
  internal: "服务内部错误",
  method_not_allowed: "不支持的请求方式",
};

function failure(error) {
  const detail = el("small", { class: "detail" }, "（详情：" + error.message + "）");
  if (error.status === 403) return el("p", { class: "note" }, "当前角色无权查看此内容。", detail);
  return el("p", { class: "error" }, (ERROR_NAMES[error.code] || "出错了") + "。", detail);
}

function view(...children) {
  // a missing part (`cond ? part : null`) is left out, not shown as the text "null"
  document.getElementById("view").replaceChildren(...children.filter((c) => c != null));
}

// ---- login ----
async function login(token) {
  state.token = token;
  const health = await fetch("/api/health", { headers: { Authorization: "Bearer " + token } }).then((r) => r.json());
  if (!health.role) throw new Error("令牌无效");
  state.role = health.role;
  sessionStorage.setItem("wenzheng-token", token);
  document.getElementById("login").hidden = true;
  document.getElementById("nav").hidden = false;
  document.getElementById("who").textContent = "角色：" + (ROLE_NAMES[state.role] || state.role);
}

function logout(message) {
  sessionStorage.removeItem("wenzheng-token");
  state.token = ""; state.role = null;
  document.getElementById("nav").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("login-error").textContent = message || "";
  view();
}

function can(role) { return (RANK[state.role] || 0) >= RANK[role]; }

// ---- pages ----
async function rankingPage(year) {
  const data = await api("/api/rankings" + (year ? "?year=" + encodeURIComponent(year) : ""));
  const select = el("select", { id: "year", onchange: (e) => { location.hash = "#/?year=" + e.target.value; } },
    data.years.map((y) => { const o = el("option", { value: y }, y + " 年"); if (y === data.year) o.selected = true; return o; }));
  const present = COMPONENTS.filter(([key]) => data.rankings.some((r) => typeof r[key] === "number"));
  const head = el("tr", {}, el("th", {}, "排名"), el("th", {}, "承办单位"), el("th", {}, "年度得分"),
    present.map(([, name]) => el("th", {}, name)), el("th", {}, "留言数"), el("th", {}, "同比"));
  const rows = data.rankings.map((r) => el("tr", { class: r.ranked === false ? "unranked" : "" },
    el("td", {}, r.ranked === false ? "—" : fmt(r.rank)),
    el("td", {}, el("a", { href: "#/unit/" + encodeURIComponent(r.unit) + (data.year ? "?year=" + data.year : "") }, r.unit)),
    el("td", { class: "num" }, fmt(r.score)),
    present.map(([key]) => el("td", { class: "num" }, fmt(r[key]))),
    el("td", { class: "num" }, fmt(r.posts)),
    el("td", { class: "num" }, typeof r.score_change === "number" ? (r.score_change >= 0 ? "+" : "") + r.score_change.toFixed(1) : "—")));
  view(
    el("h2", {}, "承办单位年度排名 ", select),
    data.note ? note(data.note) : null,
    data.rankings.length ? el("table", { id: "rankings" }, el("thead", {}, head), el("tbody", {}, rows)) : note("本年度暂无排名数据。"),
    el("p", { class: "hint" }, "灰色行为未参与排名的单位（单位不明，或留言数不足）。点击单位名称查看详情。"),
    chart("/charts/ranking.svg" + (data.year ? "?year=" + data.year : ""), "单位得分排名图"),
  );
}

function flaggedItem(item) {
  const evidence = (item.score && item.score.evidence) || [];
  const spans = evidence.filter((e) => !e.in).map((e) => [e.start, e.end]);
  const titles = evidence.filter((e) => !e.in).map((e) => SIGNAL_NAMES[e.kind] || e.kind);
  const flags = (item.flags || []).map((f) => el("span", { class: "flag flag-" + f }, FLAG_NAMES[f] || f));
  return el("article", { class: "reply flagged" },
    el("h4", {}, flags, " ", el("a", { href: "#/case/" + encodeURIComponent(item.post_id) }, item.subject || "留言 " + item.post_id)),
    el("p", { class: "meta" }, "答复时间 " + day(item.replied_at) + " · 答复单位 " + (item.unit || "—") +
      " · 类型 " + ((item.score && item.score.reply_type) || "—")),
    el("blockquote", {}, marked(item.body, spans, titles)),
    evidence.length ? el("p", { class: "evidence" }, "依据：", evidence.map((e) => el("span", { class: "tag" }, (SIGNAL_NAMES[e.kind] || e.kind) + "「" + e.text + "」"))) : null);
}

async function unitPage(unit, year) {
  const q = year ? "?year=" + encodeURIComponent(year) : "";
  // (a year chosen shows that year throughout: the tables, the trend and the flagged replies)
  const back = el("a", { href: "#/" + (year ? "?year=" + encodeURIComponent(year) : "") }, "← 返回排名");
  const allYears = year ? [" · ", el("a", { href: "#/unit/" + encodeURIComponent(unit) }, "查看全部年度")] : [];
  const parts = [el("h2", {}, unit), el("p", {}, back, allYears)];
  const indicators = await api("/api/units/" + encodeURIComponent(unit) + "/indicators" + q);
  const annual = indicators.annual || [];
  if (annual.length) {
    parts.push(el("table", { class: "compact" },
      el("thead", {}, el("tr", {}, el("th", {}, "年度"), el("th", {}, "得分"), el("th", {}, "排名"),
        COMPONENTS.map(([, n]) => el("th", {}, n)))),
      el("tbody", {}, annual.map((r) => el("tr", {}, el("td", {}, r.year), el("td", { class: "num" }, fmt(r.score)),
        el("td", {}, r.ranked === false ? "未排名" : fmt(r.rank)), COMPONENTS.map(([k]) => el("td", { class: "num" }, fmt(r[k]))))))));
  }
  const years = indicators.years || [];
  if (years.length) {
    parts.push(el("table", { class: "compact" },
      el("thead", {}, el("tr", {}, ["年度", "留言", "回复率", "按时率", "超时", "推诿率", "敷衍率", "中位工作日"].map((h) => el("th", {}, h)))),
      el("tbody", {}, years.map((r) => el("tr", {}, el("td", {}, r.period), el("td", { class: "num" }, fmt(r.posts)),
        el("td", { class: "num" }, pct(r.response_rate)), el("td", { class: "num" }, pct(r.on_time_rate)),
        el("td", { class: "num" }, fmt(r.overdue)), el("td", { class: "num" }, pct(r.evasive_rate)),
        el("td", { class: "num" }, pct(r.vague_rate)), el("td", { class: "num" }, fmt(r.median_workdays)))))));
  }
  if (indicators.note) parts.push(note(indicators.note));
  parts.push(el("h3", {}, "月度趋势"), chart("/charts/unit_trend.svg?unit=" + encodeURIComponent(unit) + (year ? "&year=" + year : ""), "单位月度趋势图"));
  parts.push(el("h3", {}, (year ? year + " 年" : "") + "被标记的答复（推诿 / 敷衍）"));
  if (!can("supervisor")) {
    parts.push(note("查看被标记的答复需要督查员权限。"));
  } else {
    try {
      const period = year ? "&from=" + year + "-01-01&to=" + year + "-12-31" : "";
      const flagged = await api("/api/replies/flagged?limit=20&unit=" + encodeURIComponent(unit) + period);
      parts.push(el("p", { class: "meta" }, "共 " + flagged.total + " 条，显示最新 " + flagged.items.length + " 条。"));
      if (flagged.note) parts.push(note(flagged.note));
      parts.push(el("div", { id: "flagged" }, flagged.items.map(flaggedItem)));
    } catch (e) { parts.push(failure(e)); }
  }
  view(...parts);
}

async function issuesPage(params) {
  const from = el("input", { type: "date", id: "issues-from", value: params.get("from") || "" });
  const to = el("input", { type: "date", id: "issues-to", value: params.get("to") || "" });
  const form = el("form", { class: "filters", onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (from.value) q.set("from", from.value);
    if (to.value) q.set("to", to.value);
    location.hash = "#/issues?" + q.toString();
  } }, el("label", {}, "自 ", from), el("label", {}, "至 ", to), el("button", { type: "submit" }, "查询"));
  const parts = [el("h2", {}, "重复出现的诉求"), form];
  try {
    const q = new URLSearchParams({ limit: "50" });
    for (const k of ["from", "to"]) if (params.get(k)) q.set(k, params.get(k));
    const data = await api("/api/issues?" + q.toString());
    if (data.note) parts.push(note(data.note));
    parts.push(el("p", { class: "meta" }, "共 " + data.total + " 个问题，按热度排列。"));
    parts.push(el("table", { id: "issues" },
      el("thead", {}, el("tr", {}, ["热度", "问题", "地点", "时间范围", "期内留言", "总留言", "涉及单位", "答复后复发"].map((h) => el("th", {}, h)))),
      el("tbody", {}, data.issues.map((i) => el("tr", {},
        el("td", { class: "num" }, fmt(i.heat, 2)),
        el("td", {}, i.post_ids && i.post_ids.length ? el("a", { href: "#/case/" + encodeURIComponent(i.post_ids[0]) }, i.title) : i.title),
        el("td", {}, i.place || "—"), el("td", {}, day(i.first_at) + " ~ " + day(i.last_at)),
        el("td", { class: "num" }, fmt(i.posts_in_period)), el("td", { class: "num" }, fmt(i.posts)),
        el("td", {}, i.units || "—"), el("td", { class: "num" }, fmt(i.repeats_after_reply)))))));
  } catch (e) { parts.push(failure(e)); }
  view(...parts);
}

function snippet(s) {
  return s ? marked(s.text, s.highlights) : "";
}

function hitItem(hit) {
  const reply = hit.reply;
  return el("article", { class: "hit" },
    el("h4", {}, el("a", { href: "#/case/" + encodeURIComponent(hit.post_id) }, snippet(hit.subject))),
    el("p", { class: "meta" }, "#" + hit.post_id + " · " + day(hit.posted_at) + " · " + (hit.unit || "—") + " · " + (hit.kind || "")),
    el("p", {}, snippet(hit.body), hit.body && hit.body.truncated ? "…" : ""),
    reply ? el("blockquote", {}, el("span", { class: "meta" }, "答复（" + day(reply.replied_at) + "）："), snippet(reply.text),
      reply.evasive_level === 2 ? el("span", { class: "flag flag-evasive" }, "推诿") : null,
      reply.vague_level === 2 ? el("span", { class: "flag flag-vague" }, "敷衍") : null) : el("p", { class: "note" }, "尚未答复"));
}

async function loadUnits() {
  if (!state.units) state.units = (await api("/api/units")).units.map((u) => u.unit);
  return state.units;
}

async function searchPage(params) {
  const query = el("input", { type: "search", id: "q", placeholder: "输入关键词，如：油烟 噪音", value: params.get("q") || "" });
  const unit = el("select", { id: "unit" }, el("option", { value: "" }, "全部单位"));
  const from = el("input", { type: "date", id: "from", value: params.get("from") || "" });
  const to = el("input", { type: "date", id: "to", value: params.get("to") || "" });
  try {
    for (const name of await loadUnits()) {
      const option = el("option", { value: name }, name);
      if (name === params.get("unit")) option.selected = true;
      unit.append(option);
    }
  } catch (_) { /* the filter stays "all" */ }
  const form = el("form", { class: "filters", id: "search-form", onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (query.value.trim()) q.set("q", query.value.trim());
    for (const [k, input] of [["unit", unit], ["from", from], ["to", to]]) if (input.value) q.set(k, input.value);
    location.hash = "#/search?" + q.toString();
  } }, query, unit, el("label", {}, "自 ", from), el("label", {}, "至 ", to), el("button", { type: "submit" }, "检索"));
  const parts = [el("h2", {}, "案例检索"), form];
  if ([...params.keys()].length) {
    try {
      const q = new URLSearchParams(params);
      q.set("limit", "20");
      const data = await api("/api/search?" + q.toString());
      parts.push(el("p", { class: "meta", id: "search-total" }, "找到 " + data.total + " 个案例。"));
      if (data.suggestion) {
        const retry = new URLSearchParams(params);
        retry.set("q", data.suggestion.q);
        parts.push(el("p", { class: "meta", id: "search-suggestion" }, "您是不是要找：",
          el("a", { href: "#/search?" + retry.toString() }, data.suggestion.q), "（" + data.suggestion.total + " 个案例）"));
      }
      parts.push(el("div", { id: "hits" }, data.hits.map(hitItem)));
    } catch (e) { parts.push(failure(e)); }
  }
  view(...parts);
}

async function casePage(postId) {
  const data = await api("/api/cases/" + encodeURIComponent(postId));
  const post = data.post;
  const parts = [
    el("h2", {}, post.subject),
    el("p", { class: "meta" }, "#" + post.post_id + " · " + day(post.posted_at) + " · 留言人 " + (post.user_id || "—") +
      " · " + (post.unit || "—") + " · " + (post.kind || "")),
    el("p", { class: "body" }, post.body),
    el("h3", {}, "答复（" + data.replies.length + "）"),
  ];
  for (const reply of data.replies) {
    const evidence = (reply.score && reply.score.evidence) || [];
    const own = evidence.filter((e) => !e.in);
    parts.push(el("article", { class: "reply" },
      el("p", { class: "meta" }, (reply.flags || []).map((f) => el("span", { class: "flag flag-" + f }, FLAG_NAMES[f])),
        " 第 " + fmt(reply.seq) + " 次答复 · " + day(reply.replied_at) + " · " + (reply.unit || "—")),
      el("blockquote", {}, marked(reply.body, own.map((e) => [e.start, e.end]), own.map((e) => SIGNAL_NAMES[e.kind] || e.kind)))));
  }
  parts.push(el("h3", {}, "相似的既往案例"));
  try {
    const similar = await api("/api/cases/" + encodeURIComponent(postId) + "/similar?limit=5");
    parts.push(similar.hits.length ? el("div", {}, similar.hits.map(hitItem)) : note("没有找到相似的既往案例。"));
  } catch (e) { parts.push(failure(e)); }
  view(...parts);
}

// ---- routing ----
async function route() {
  if (!state.role) return;
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  view(el("p", { class: "note" }, "加载中……"));
  try {
    if (parts.length === 0) await rankingPage(params.get("year"));
    else if (parts[0] === "unit") await unitPage(parts[1], params.get("year"));
    else if (parts[0] === "issues") await issuesPage(params);
    else if (parts[0] === "search") await searchPage(params);
    else if (parts[0] === "case") await casePage(parts[1]);
    else view(note("没有这个页面。"));
  } catch (e) {
    if (e.status !== 401) view(failure(e));
  }
}

document.getElementById("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await login(document.getElementById("token").value.trim());
    document.getElementById("token").value = "";
    route();
  } catch (_) {
    document.getElementById("login-error").textContent = "令牌无效，请检查后重试。";
  }
});
document.getElementById("logout").addEventListener("click", () => logout());
window.addEventListener("hashchange", route);

(async () => {
  if (state.token) {
    try { await login(state.token); route(); return; } catch (_) { /* fall through to the form */ }
  }
  logout();
})();
