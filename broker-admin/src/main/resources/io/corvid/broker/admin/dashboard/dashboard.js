// The Corvid dashboard: polls the admin API and draws what it gets. Plain script, no libraries,
// no build step. Everything taken from the API is put into the page as text, never as HTML:
// client identifiers, topics and payloads come from MQTT clients.
'use strict';

(function () {
  const TOKEN_KEY = 'corvid-admin-token';
  const POLL_MILLIS = 1500;
  const CHART_SAMPLES = 120; // three minutes at one sample per 1.5 s
  const LIST_LIMIT = 200;

  const rates = { received: [], sent: [] };
  let previous = null; // the last counters sample: {at, received, sent}
  let retainedFilter = '#';
  let pollTimer = null;

  const $ = (id) => document.getElementById(id);

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  /** Why a request failed, with the HTTP status when there was one. */
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** Calls the API; a 401 shows the token form. */
  async function api(path, method) {
    const headers = { Accept: 'application/json' };
    const stored = token();
    if (stored) {
      headers.Authorization = 'Bearer ' + stored;
    }
    const response = await fetch(path, { method: method || 'GET', headers: headers, cache: 'no-store' });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (response.status === 401) {
      showLogin(stored ? 'That token was not accepted.' : '');
      throw new ApiError(401, 'the admin token is needed');
    }
    if (!response.ok) {
      throw new ApiError(response.status, (body && body.message) || response.statusText);
    }
    return body;
  }

  function setStatus(state, text) {
    const status = $('status');
    status.dataset.state = state;
    status.textContent = text;
  }

  function showLogin(error) {
    $('login').hidden = false;
    $('login-error').textContent = error;
    setStatus('login', 'token needed');
  }

  function hideLogin() {
    $('login').hidden = true;
    $('login-error').textContent = '';
  }

  function showMessage(text) {
    $('message').textContent = text;
  }

  // Topics go into the path level by level: each level escaped, the slashes kept.
  function topicPath(topic) {
    return topic.split('/').map(encodeURIComponent).join('/');
  }

  function formatNumber(value) {
    return typeof value === 'number' ? value.toLocaleString('en-US') : '–';
  }

  function formatDuration(seconds) {
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const parts = [];
    if (days) parts.push(days + 'd');
    if (days || hours) parts.push(hours + 'h');
    parts.push(minutes + 'm');
    if (!days) parts.push((seconds % 60) + 's');
    return parts.join(' ');
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  }

  // --- counters and the chart ---------------------------------------------------------------

  function updateBroker(broker) {
    $('version').textContent = broker.version;
    $('uptime').textContent = 'up ' + formatDuration(broker.uptimeSeconds);
    const counters = broker.counters;
    for (const name of Object.keys(counters)) {
      const element = $('c-' + name);
      if (element) {
        element.textContent = formatNumber(counters[name]);
      }
    }
    const now = performance.now();
    if (previous) {
      const seconds = (now - previous.at) / 1000;
      if (seconds > 0) {
        push(rates.received, Math.max(0, (counters.messagesReceived - previous.received) / seconds));
        push(rates.sent, Math.max(0, (counters.messagesSent - previous.sent) / seconds));
      }
    }
    previous = { at: now, received: counters.messagesReceived, sent: counters.messagesSent };
    $('rate-received').textContent = lastRate(rates.received);
    $('rate-sent').textContent = lastRate(rates.sent);
    drawChart();
  }

  function push(series, value) {
    series.push(value);
    if (series.length > CHART_SAMPLES) {
      series.shift();
    }
  }

  function lastRate(series) {
    return series.length ? series[series.length - 1].toFixed(1) + '/s' : '–';
  }

  /** A round upper bound for the y axis: 1, 2 or 5 times a power of ten. */
  function niceCeiling(value) {
    if (value <= 1) {
      return 1;
    }
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) {
      if (value <= step * power) {
        return step * power;
      }
    }
    return 10 * power;
  }

  function drawChart() {
    const canvas = $('rate-chart');
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    canvas.dataset.samples = String(rates.received.length); // for tests and the curious
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);

    const left = 56, right = 8, top = 8, bottom = 20;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const max = niceCeiling(Math.max(1, ...rates.received, ...rates.sent));
    const style = getComputedStyle(document.documentElement);

    g.font = '11px system-ui, sans-serif';
    g.fillStyle = style.getPropertyValue('--muted');
    g.strokeStyle = style.getPropertyValue('--line');
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const y = top + plotHeight - (plotHeight * i) / 4;
      g.beginPath();
      g.moveTo(left, Math.round(y) + 0.5);
      g.lineTo(left + plotWidth, Math.round(y) + 0.5);
      g.stroke();
      g.fillText(formatNumber(Math.round((max * i) / 4)), left - 6, y);
    }
    g.textAlign = 'left';
    g.textBaseline = 'top';
    g.fillText(Math.round((CHART_SAMPLES * POLL_MILLIS) / 60000) + ' min ago', left, top + plotHeight + 4);
    g.textAlign = 'right';
    g.fillText('now', left + plotWidth, top + plotHeight + 4);

    const step = plotWidth / (CHART_SAMPLES - 1);
    const line = (series, color) => {
      if (series.length < 2) {
        return;
      }
      g.strokeStyle = color;
      g.lineWidth = 2;
      g.beginPath();
      const offset = CHART_SAMPLES - series.length;
      series.forEach((value, i) => {
        const x = left + (offset + i) * step;
        const y = top + plotHeight - (plotHeight * value) / max;
        if (i === 0) {
          g.moveTo(x, y);
        } else {
          g.lineTo(x, y);
        }
      });
      g.stroke();
    };
    line(rates.received, style.getPropertyValue('--received'));
    line(rates.sent, style.getPropertyValue('--sent'));
  }

  // --- clients --------------------------------------------------------------------------------

  function updateClients(page) {
    const body = $('clients').tBodies[0];
    const rows = [];
    for (const client of page.clients) {
      const row = document.createElement('tr');
      row.dataset.clientId = client.clientId;
      cell(row, client.clientId, 'client-id');
      cell(row, client.address);
      cell(row, client.protocol);
      cell(row, client.username);
      cell(row, client.listener);
      cell(row, client.keepAliveSeconds ? client.keepAliveSeconds + ' s' : 'none');
      cell(row, formatNumber(client.queuedMessages));
      cell(row, formatNumber(client.inflightMessages));
      cell(row, formatNumber(client.subscriptionCount));
      cell(row, new Date(client.connectedAt).toLocaleString());
      const actions = cell(row, '');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'danger disconnect';
      button.textContent = 'Disconnect';
      button.addEventListener('click', () => disconnect(client.clientId, button));
      actions.appendChild(button);
      rows.push(row);
    }
    body.replaceChildren(...rows);
    $('clients-empty').hidden = page.clients.length > 0;
    $('clients-total').textContent = page.total > page.clients.length
      ? '(' + page.clients.length + ' of ' + formatNumber(page.total) + ')' : '(' + page.total + ')';
  }

  async function disconnect(clientId, button) {
    button.disabled = true;
    try {
      await api('/api/v1/clients/' + encodeURIComponent(clientId), 'DELETE');
      showMessage('');
    } catch (e) {
      showMessage('Could not disconnect ' + clientId + ': ' + e.message);
    }
    await refresh();
  }

  // --- retained messages ----------------------------------------------------------------------

  function updateRetained(page) {
    const body = $('retained').tBodies[0];
    const rows = [];
    for (const message of page.messages) {
      const row = document.createElement('tr');
      row.dataset.topic = message.topic;
      cell(row, message.topic, 'topic');
      cell(row, message.qos);
      cell(row, formatNumber(message.payloadBytes));
      const payload = message.encoding === 'base64' ? 'base64: ' + message.payload : message.payload;
      cell(row, payload + (message.truncated ? ' …' : ''), 'payload');
      const actions = cell(row, '');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'danger delete-retained';
      button.textContent = 'Delete';
      button.addEventListener('click', () => deleteRetained(message.topic, button));
      actions.appendChild(button);
      rows.push(row);
    }
    body.replaceChildren(...rows);
    $('retained-empty').hidden = page.messages.length > 0;
    $('retained-total').textContent = '(' + formatNumber(page.total) + ')';
  }

  async function deleteRetained(topic, button) {
    button.disabled = true;
    try {
      await api('/api/v1/retained/' + topicPath(topic), 'DELETE');
      showMessage('');
    } catch (e) {
      showMessage('Could not delete the retained message of ' + topic + ': ' + e.message);
    }
    await refresh();
  }

  // --- polling --------------------------------------------------------------------------------

  async function refresh() {
    try {
      const [broker, clients, retained] = await Promise.all([
        api('/api/v1/broker'),
        api('/api/v1/clients?limit=' + LIST_LIMIT),
        api('/api/v1/retained?limit=' + LIST_LIMIT + '&filter=' + encodeURIComponent(retainedFilter)),
      ]);
      hideLogin();
      updateBroker(broker);
      updateClients(clients);
      updateRetained(retained);
      setStatus('ok', 'live');
      $('forget-token').hidden = !token();
    } catch (e) {
      if (e.status !== 401) {
        setStatus('error', e.status ? 'error ' + e.status : 'unreachable');
        showMessage(e.message);
      }
    }
  }

  async function poll() {
    clearTimeout(pollTimer);
    await refresh();
    pollTimer = setTimeout(poll, POLL_MILLIS);
  }

  function start() {
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
      $('token').value = '';
      previous = null;
      poll();
    });
    $('forget-token').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      $('forget-token').hidden = true;
      poll();
    });
    $('retained-form').addEventListener('submit', (event) => {
      event.preventDefault();
      retainedFilter = $('retained-filter').value.trim() || '#';
      refresh();
    });
    window.addEventListener('resize', drawChart);
    poll();
  }

  start();
})();
