// The regulator's dashboard: reports and alerts from the gateway's audit routes, kept live by the audit
// channel's event stream, with a drill-down from an alert to the market transactions behind it; and the
// network's health (nodes, heights, firing alerts) from the monitoring, refreshed every few seconds.
'use strict';

const state = {
  token: sessionStorage.getItem('ecf-token') || '',
  records: new Map(),
  stream: undefined,
  healthTimer: undefined,
};
const $ = (id) => document.getElementById(id);

async function api(path) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

async function loadRecords() {
  let cursor;
  do {
    const page = await api(`/v1/audit/records?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    for (const r of page.items) state.records.set(r.id, r);
    cursor = page.nextCursor;
  } while (cursor);
}

function render() {
  const records = [...state.records.values()].sort((a, b) => b.observedAt - a.observedAt || (a.id < b.id ? 1 : -1));
  const feed = $('feed');
  const alerts = $('alerts');
  feed.replaceChildren();
  alerts.replaceChildren();
  for (const r of records) {
    const li = document.createElement('li');
    li.dataset.id = r.id;
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = r.type;
    li.append(type, document.createTextNode(r.summary));
    feed.append(li);
    if (r.type === 'ALERT') {
      const a = document.createElement('li');
      a.dataset.id = r.id;
      a.className = 'alert';
      const kind = document.createElement('span');
      kind.className = 'kind';
      kind.textContent = r.kind;
      a.append(kind, document.createTextNode(r.summary));
      a.addEventListener('click', () => drill(r));
      alerts.append(a);
    }
  }
  chart(records.filter((r) => r.type === 'TRADE'));
}

function chart(trades) {
  const canvas = $('chart');
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const buckets = new Map();
  for (const t of trades) {
    const minute = Math.floor(t.observedAt / 60) * 60;
    buckets.set(minute, (buckets.get(minute) || 0) + Number(t.details.value || 0));
  }
  const keys = [...buckets.keys()].sort((a, b) => a - b).slice(-30);
  const max = Math.max(1, ...keys.map((k) => buckets.get(k)));
  const width = canvas.width / Math.max(keys.length, 1);
  ctx.fillStyle = '#457b9d';
  keys.forEach((k, i) => {
    const h = ((canvas.height - 20) * buckets.get(k)) / max;
    ctx.fillRect(i * width + 2, canvas.height - h, width - 4, h);
  });
  canvas.dataset.bars = String(keys.length);
}

async function drill(record) {
  $('drill').hidden = false;
  $('drill-title').textContent = `${record.kind || record.type} ${record.id}`;
  const rows = $('drill-rows');
  rows.replaceChildren();
  for (const txId of record.source.txIds) {
    const tx = await api(`/v1/audit/transactions/${txId}`);
    const tr = document.createElement('tr');
    tr.dataset.txid = tx.txId;
    for (const cell of [
      tx.txId.slice(0, 16) + '…',
      tx.blockNumber,
      tx.fn,
      tx.creatorMspId,
      String(tx.valid),
      tx.event ? tx.event.name : '',
    ]) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.append(td);
    }
    rows.append(tr);
  }
}

/** The audit event stream, read with fetch so the token travels in a header (EventSource cannot send one). */
async function follow() {
  const res = await fetch('/v1/audit/events', { headers: { Authorization: `Bearer ${state.token}` } });
  if (!res.ok) throw new Error(`events: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const chunk = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = chunk.split('\n').find((l) => l.startsWith('data: '));
      if (!data) continue;
      const { event } = JSON.parse(data.slice(6));
      if (event && event.type === 'AuditFiled' && !state.records.has(event.id)) {
        state.records.set(event.id, await api(`/v1/audit/records/${encodeURIComponent(event.id)}`));
        render();
      }
    }
  }
}

const HEALTH_EVERY_MS = 5000;

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

async function health() {
  try {
    const h = await api('/v1/audit/network');
    const rows = $('nodes');
    rows.replaceChildren();
    for (const n of h.nodes) {
      const tr = document.createElement('tr');
      tr.dataset.node = n.node;
      tr.dataset.up = String(n.up);
      const heights = Object.entries(n.heights).map(([channel, height]) => `${channel} ${height}`);
      tr.append(cell(n.node), cell(n.org), cell(n.up ? 'up' : 'DOWN'), cell(heights.join(', ')));
      rows.append(tr);
    }
    const list = $('network-alerts');
    list.replaceChildren();
    for (const a of h.alerts) {
      const li = document.createElement('li');
      li.className = `alert ${a.state}`;
      li.dataset.alert = a.alert;
      li.textContent = `${a.state === 'firing' ? 'FIRING' : 'pending'} ${a.alert}: ${a.summary}`;
      list.append(li);
    }
    const down = h.nodes.filter((n) => !n.up).length;
    $('health-status').textContent =
      `${h.nodes.length - down} of ${h.nodes.length} up, ${h.alerts.length} active alerts`;
  } catch (err) {
    $('health-status').textContent = `monitoring unavailable: ${err.message}`;
  }
}

async function connect(event) {
  if (event) event.preventDefault();
  state.token = $('token').value || state.token;
  sessionStorage.setItem('ecf-token', state.token);
  $('status').textContent = 'connecting…';
  // Network health does not wait for the records: it matters most when the rest of the network does not answer.
  health();
  state.healthTimer = state.healthTimer || setInterval(health, HEALTH_EVERY_MS);
  try {
    await loadRecords();
    render();
    $('status').textContent = `connected: ${state.records.size} records`;
    follow().catch((err) => ($('status').textContent = `feed stopped: ${err.message}`));
  } catch (err) {
    $('status').textContent = `error: ${err.message}`;
  }
}

$('login').addEventListener('submit', connect);
if (state.token) connect();
