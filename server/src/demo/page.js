// Tidewater CRM demo page. Listens to the events the Quarry loader dispatches on
// the widget's element (they bubble) and shows what the CRM's backend received.
// Contacts are only ever shown from /api/contacts — what arrived signed and
// verified — never from the browser event, as a real CRM would do.
(function () {
  "use strict";

  var POLL_MS = 5000;
  var LOAD_TIMEOUT_MS = 20000;

  var mount = document.getElementById("quarry-prospecting");
  var status = document.getElementById("quarry-status");
  var body = document.getElementById("crm-contacts-body");
  var empty = document.getElementById("crm-contacts-empty");
  var count = document.getElementById("contact-count");
  var countLabel = document.getElementById("contact-count-label");
  var log = document.getElementById("delivery-log");
  var logCount = document.getElementById("delivery-count");
  var toast = document.getElementById("toast");
  var search = document.querySelector(".global-search");

  var known = null; // person ids shown so far; null before the first load
  var ready = false;
  var toastTimer = null;

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function showToast(text, kind) {
    toast.textContent = text;
    toast.dataset.kind = kind || "info";
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 5000);
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function cell(row, className, text, sub) {
    var td = document.createElement("td");
    td.className = className;
    td.textContent = text || "—";
    if (!text) td.classList.add("muted");
    if (sub) {
      var span = document.createElement("span");
      span.className = "sub";
      span.textContent = sub;
      td.appendChild(span);
    }
    row.appendChild(td);
    return td;
  }

  function keyOf(record) {
    return record.person_id || record.prospect_id || "";
  }

  function formatTime(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? iso : date.toLocaleString();
  }

  function renderContacts(contacts) {
    var fresh = new Set();
    body.replaceChildren();
    contacts.forEach(function (contact) {
      var r = contact.record || {};
      var company = r.company || {};
      var key = keyOf(r);
      fresh.add(key);
      var row = document.createElement("tr");
      row.dataset.testid = "crm-contact";
      row.dataset.personId = key;
      if (known && !known.has(key)) row.classList.add("is-new");
      var name = [r.first_name, r.last_name].filter(Boolean).join(" ");
      cell(row, "name", name, r.city && r.state ? r.city + ", " + r.state : r.city || r.state);
      cell(row, "title", r.job_title);
      cell(row, "company", company.name, company.domain);
      cell(row, "email", r.business_email);
      cell(row, "phone", r.mobile_phone);
      var received = document.createElement("td");
      received.className = "received";
      var time = document.createElement("time");
      time.dateTime = contact.received_at;
      time.textContent = formatTime(contact.received_at);
      received.appendChild(time);
      if (contact.verified) {
        var badge = document.createElement("span");
        badge.className = "verified sub";
        badge.title = "Quarry's Standard Webhooks signature was checked before this contact was added";
        badge.textContent = "✓ Signature verified";
        received.appendChild(badge);
      }
      row.appendChild(received);
      body.appendChild(row);
    });
    var added = known ? Array.from(fresh).filter(function (k) { return !known.has(k); }).length : 0;
    known = fresh;
    count.textContent = String(contacts.length);
    countLabel.textContent = contacts.length === 1 ? "contact" : "contacts";
    empty.hidden = contacts.length !== 0;
    return added;
  }

  function renderDeliveries(deliveries) {
    log.replaceChildren();
    deliveries.forEach(function (d) {
      var li = document.createElement("li");
      li.dataset.testid = "crm-delivery";
      var id = document.createElement("code");
      id.textContent = d.webhook_id;
      li.appendChild(id);
      var what = document.createElement("span");
      var chunk = d.chunks > 1 ? " · chunk " + d.chunk + " of " + d.chunks : "";
      what.textContent = plural(d.records, "record", "records") + chunk;
      li.appendChild(what);
      if (d.verified) {
        var badge = document.createElement("span");
        badge.className = "verified";
        badge.textContent = "✓ Signature verified";
        li.appendChild(badge);
      }
      var time = document.createElement("time");
      time.className = "muted";
      time.dateTime = d.received_at;
      time.textContent = formatTime(d.received_at);
      li.appendChild(time);
      log.appendChild(li);
    });
    logCount.textContent = String(deliveries.length);
  }

  var loading = null;
  function refresh() {
    // Concurrent refreshes (a push during a poll) collapse into one.
    if (loading) return loading;
    loading = fetch("/api/contacts", { cache: "no-store", headers: { accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        renderDeliveries(data.deliveries || []);
        return renderContacts(data.contacts || []);
      })
      .finally(function () { loading = null; });
    return loading;
  }

  // The detail is Quarry's wallet view: `wallet.available_credit_units` is what
  // the customer can still spend (null for a metered wallet without grants).
  function walletText(detail) {
    var wallet = detail && (detail.wallet || detail);
    var left = wallet && wallet.available_credit_units;
    return typeof left === "number" ? plural(left, "credit", "credits") + " left" : null;
  }

  mount.addEventListener("quarry:ready", function () {
    ready = true;
    setStatus("ready", "Quarry connected");
  });

  mount.addEventListener("quarry:push", function (event) {
    var result = event.detail || {};
    refresh().then(function (added) {
      if (result.delivered === false) {
        showToast("Bought " + plural(result.pushed_records || 0, "contact", "contacts") +
          "; the delivery is queued and they appear here when Quarry retries.", "warn");
      } else if (added > 0) {
        showToast(plural(added, "contact", "contacts") + " added");
      } else {
        showToast("Contacts updated; they were already in Tidewater");
      }
    }).catch(function () {
      showToast("Pushed, but the contact list could not be refreshed", "error");
    });
  });

  mount.addEventListener("quarry:export", function (event) {
    var detail = event.detail || {};
    var n = detail.exported_records;
    showToast(typeof n === "number" ? "CSV with " + plural(n, "contact", "contacts") + " downloaded" : "CSV downloaded");
  });

  mount.addEventListener("quarry:wallet", function (event) {
    var text = walletText(event.detail);
    if (text && ready) setStatus("ready", "Quarry connected · " + text);
  });

  mount.addEventListener("quarry:error", function (event) {
    var detail = event.detail || {};
    var text = detail.message || "Quarry reported an error";
    if (detail.request_id) text += " (request " + detail.request_id + ")";
    setStatus("error", text);
    showToast(text, "error");
  });

  setTimeout(function () {
    if (!ready) {
      var script = document.querySelector("script[data-partner-key]");
      var from = script ? new URL(script.src).origin : "Quarry";
      setStatus("error", "Quarry did not load from " + from + ". Is `quarry serve` running there?");
    }
  }, LOAD_TIMEOUT_MS);

  // On a phone the navigation is a strip: show where we are in it.
  var current = document.querySelector(".sidenav [aria-current]");
  var strip = current && current.closest(".sidenav");
  if (strip && strip.scrollWidth > strip.clientWidth) {
    strip.scrollLeft = current.offsetLeft - (strip.clientWidth - current.offsetWidth) / 2;
  }

  if (search) {
    search.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  refresh().catch(function () {});
  setInterval(function () {
    if (!document.hidden) refresh().catch(function () {});
  }, POLL_MS);
})();
