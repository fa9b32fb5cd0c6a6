/*! Quarry embed loader — https://github.com/quarry (PRODUCT.md §2)
 *
 * One <script> tag on a partner page, with a session secret the partner's backend
 * minted (POST /v1/prospecting/embed-sessions/server; recommended):
 *   <script src="https://QUARRY/embed.js" async
 *     data-partner-key="qpk_live_…" data-session-secret="qss_live_…"
 *     data-session-secret-url="/quarry/session-secret" data-theme="light"
 *     data-accent="#0f766e" data-target="#prospecting"></script>
 * or naming the customer, signed by the partner's backend:
 *     data-customer-id="acme-42" data-customer-name="Acme" data-user-id="u-7"
 *     data-customer-signature="…" data-customer-signature-timestamp="…"
 *     data-customer-signature-url="/quarry/signature"
 * or from code: const q = Quarry.mount(element, {partnerKey, sessionSecret,
 *   fetchSessionSecret: () => fetch("/quarry/session-secret").then(r => r.json()), onPush}).
 * A session secret is used once: renewals ask fetchSessionSecret (or
 * data-session-secret-url, which answers {"session_secret": "qss_…"}) for a new one.
 *
 * The loader starts the embed session from the partner page (so the browser sends the
 * partner's Origin), creates the iframe, and hands the short-lived token over with
 * postMessage to the Quarry origin only. It accepts messages only from that iframe
 * on the Quarry origin, renews the token before it expires (and when a sleeping tab
 * wakes up; concurrent renewals collapse into one), clamps the iframe's resize
 * requests, and reports errors through onError, a bubbling `quarry:error` DOM event
 * and a readable message in place of the widget.
 *
 * Messages (objects with `type`), widget → loader: quarry:hello, quarry:ready,
 * quarry:resize {height}, quarry:token-request, quarry:push {result},
 * quarry:export {result}, quarry:wallet {wallet}, quarry:error {error};
 * loader → widget: quarry:token {token, expires_in, …}, quarry:refresh,
 * quarry:token-error {error}, quarry:viewport {top, bottom} (the part of the
 * frame on screen, in frame pixels, so the widget keeps its action bar in view).
 */
(function () {
  "use strict";

  var VERSION = "1";
  var script = document.currentScript;
  var scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : null;

  /** Codes after which retrying the same bootstrap cannot succeed. */
  var PERMANENT = {
    origin_not_allowed: true,
    invalid_partner_key: true,
    embed_key_revoked: true,
    customer_suspended: true,
    invalid_customer_signature: true,
    customer_verification_required: true,
    session_secret_needed: true,
    invalid_body: true,
    invalid_options: true
  };

  /** What the person in front of the page reads, per error code. */
  function describe(error) {
    switch (error.code) {
      case "origin_not_allowed":
        return {
          title: "Prospecting isn't available on this page",
          detail: "This page (" + location.origin + ") isn't allowed to use this Quarry key. " +
            "The app's developers can add it to the embed key's allowed origins."
        };
      case "invalid_partner_key":
        return { title: "Prospecting isn't set up correctly", detail: "The Quarry key on this page is unknown." };
      case "embed_key_revoked":
        return { title: "Prospecting has been turned off", detail: "This app's Quarry key was revoked." };
      case "customer_suspended":
        return {
          title: "Your prospecting access is paused",
          detail: "Contact your account admin to turn it back on."
        };
      case "invalid_customer_signature":
      case "invalid_session_secret":
      case "customer_verification_required":
      case "session_secret_needed":
        return {
          title: "We couldn't verify your account",
          detail: "Reload the page. If this keeps happening, contact the app's support."
        };
      case "rate_limited":
        return { title: "Too many attempts", detail: "Trying again in a moment…" };
      case "network":
        return { title: "Can't reach Quarry", detail: "Check your connection. Trying again…" };
      default:
        return { title: "Prospecting couldn't start", detail: error.message || "Something went wrong." };
    }
  }

  /** The visible prefix of a public key (type + 8 characters), for the iframe URL. */
  function keyPrefix(key) {
    var m = /^(qpk_(?:live|test)_[A-Za-z0-9]{8})/.exec(key);
    return m ? m[1] : "";
  }

  function clamp(value, lo, hi) {
    return Math.min(hi, Math.max(lo, value));
  }

  var handles = typeof WeakMap === "function" ? new WeakMap() : null;

  function mount(element, options) {
    if (!(element instanceof Element)) {
      throw new TypeError("Quarry.mount: the first argument must be a DOM element");
    }
    options = options || {};
    if (handles && handles.get(element)) handles.get(element).destroy();

    var base = String(options.baseUrl || scriptOrigin || "").replace(/\/+$/, "");
    var quarryOrigin = base ? new URL(base, location.href).origin : "";
    var minHeight = Number(options.minHeight) || 420;
    var maxHeight = Number(options.maxHeight) || 2400;
    var destroyed = false;
    var frameHello = false;
    var session = null; // {token, expiresIn, receivedAt, …}
    var renewTimer = 0;
    var retryTimer = 0;
    var renewAt = 0;
    var inflight = null;
    var failures = 0;
    var listeners = [];

    var wrapper = document.createElement("div");
    wrapper.className = "quarry-embed";
    wrapper.style.cssText = "position:relative;width:100%;";
    var notice = document.createElement("div");
    notice.setAttribute("role", "alert");
    notice.setAttribute("data-quarry-notice", "");
    notice.hidden = true;
    notice.style.cssText =
      "box-sizing:border-box;padding:16px 18px;border:1px solid #d5dbe3;border-radius:8px;" +
      "background:#fff;color:#1c2430;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;";
    var iframe = document.createElement("iframe");
    wrapper.appendChild(notice);
    element.appendChild(wrapper);

    function emit(name, detail, callback) {
      if (typeof callback === "function") {
        try {
          callback(detail);
        } catch (e) {
          setTimeout(function () { throw e; });
        }
      }
      element.dispatchEvent(new CustomEvent("quarry:" + name, { detail: detail, bubbles: true }));
    }

    function showNotice(error) {
      var text = describe(error);
      notice.textContent = "";
      var title = document.createElement("strong");
      title.textContent = text.title;
      var detail = document.createElement("div");
      detail.textContent = text.detail;
      notice.appendChild(title);
      notice.appendChild(detail);
      if (error.request_id) {
        var id = document.createElement("small");
        id.style.cssText = "display:block;margin-top:6px;color:#5b6676;";
        id.textContent = "Reference: " + error.request_id;
        notice.appendChild(id);
      }
      notice.setAttribute("data-code", error.code);
      notice.hidden = false;
    }

    function fail(error, fatal) {
      if (destroyed) return;
      emit("error", error, options.onError);
      if (fatal) {
        iframe.style.display = "none";
        showNotice(error);
        post({ type: "quarry:token-error", error: error });
      } else if (!tokenValid()) {
        showNotice(error);
      }
    }

    var serverSessions = !!(options.sessionSecret || typeof options.fetchSessionSecret === "function" ||
      options.sessionSecretUrl);
    if (!quarryOrigin || typeof options.partnerKey !== "string" || !keyPrefix(options.partnerKey) ||
        !(options.customerId || serverSessions)) {
      var problem = !quarryOrigin ? "baseUrl (the Quarry server) is unknown"
        : !keyPrefix(String(options.partnerKey || "")) ? "partnerKey must be a qpk_live_… or qpk_test_… key"
        : "sessionSecret (or fetchSessionSecret), or customerId, is required";
      fail({ code: "invalid_options", message: "Quarry.mount: " + problem }, true);
      if (typeof console !== "undefined") console.error("Quarry.mount: " + problem);
      return inert();
    }

    var src = base + "/embed/?key=" + encodeURIComponent(keyPrefix(options.partnerKey)) +
      "&parent=" + encodeURIComponent(location.origin);
    if (options.theme) src += "&theme=" + encodeURIComponent(options.theme);
    if (options.accent) src += "&accent=" + encodeURIComponent(options.accent);
    iframe.src = src;
    iframe.title = options.title || "Find prospects";
    iframe.setAttribute("data-quarry-frame", "");
    iframe.setAttribute("allow", "clipboard-write");
    iframe.setAttribute("sandbox",
      "allow-scripts allow-same-origin allow-forms allow-downloads allow-popups allow-popups-to-escape-sandbox");
    iframe.style.cssText = "display:block;width:100%;border:0;height:" +
      clamp(Number(options.height) || 640, minHeight, maxHeight) + "px;color-scheme:normal;";
    wrapper.appendChild(iframe);

    function post(message) {
      if (!destroyed && frameHello && iframe.contentWindow) {
        iframe.contentWindow.postMessage(message, quarryOrigin);
      }
    }

    function tokenValid() {
      return !!session && Date.now() < session.receivedAt + session.expiresIn * 1000;
    }

    function sendToken() {
      if (!session) return;
      var left = Math.max(0, Math.round((session.receivedAt + session.expiresIn * 1000 - Date.now()) / 1000));
      post({
        type: "quarry:token",
        token: session.token,
        expires_in: left,
        partner_customer_id: session.partner_customer_id,
        external_customer_id: session.external_customer_id
      });
    }

    function schedule() {
      clearTimeout(renewTimer);
      if (!session || destroyed) return;
      // Renew a quarter of the lifetime (at most a minute) before expiry.
      var ttl = session.expiresIn * 1000;
      renewAt = session.receivedAt + ttl - Math.min(60000, ttl / 4);
      renewTimer = setTimeout(renew, Math.max(0, renewAt - Date.now()));
    }

    function signature(first) {
      if (typeof options.getCustomerSignature === "function") {
        return Promise.resolve(options.getCustomerSignature());
      }
      var staticSig = options.customerSignature
        ? { signature: options.customerSignature, timestamp: Number(options.customerSignatureTimestamp) }
        : null;
      if (options.customerSignatureUrl && !(first && staticSig)) {
        return fetch(options.customerSignatureUrl, { credentials: "same-origin", cache: "no-store" })
          .then(function (r) {
            if (!r.ok) throw { code: "network", message: "signature endpoint answered " + r.status };
            return r.json();
          });
      }
      return Promise.resolve(staticSig);
    }

    /**
     * A server-minted session secret: the page's own on the first bootstrap (it
     * is used once), then a fresh one from fetchSessionSecret or the URL.
     */
    var pageSecret = options.sessionSecret ? String(options.sessionSecret) : "";
    function sessionSecret() {
      if (pageSecret) {
        var secret = pageSecret;
        pageSecret = "";
        return Promise.resolve(secret);
      }
      var fetched;
      if (typeof options.fetchSessionSecret === "function") {
        fetched = Promise.resolve(options.fetchSessionSecret());
      } else if (options.sessionSecretUrl) {
        fetched = fetch(options.sessionSecretUrl, { method: "POST", credentials: "same-origin", cache: "no-store" })
          .then(function (r) {
            if (r.ok) return r.json();
            // A backend may pass Quarry's refusal on (a suspended customer, a revoked key).
            return r.json().catch(function () { return null; }).then(function (json) {
              var error = json && json.error && json.error.code ? json.error
                : { code: "network", message: "session secret endpoint answered " + r.status };
              throw error;
            });
          });
      } else {
        return Promise.reject({
          code: "session_secret_needed",
          message: "The page's session secret was used; give Quarry.mount a fetchSessionSecret callback " +
            "(or the tag a data-session-secret-url) for renewals."
        });
      }
      return fetched.then(function (answer) {
        var secret = typeof answer === "string" ? answer : answer && answer.session_secret;
        if (!secret) throw { code: "network", message: "no session secret was returned" };
        return String(secret);
      });
    }

    function bootstrapBody(first) {
      if (serverSessions) {
        return sessionSecret().then(function (secret) {
          return { partner_key: options.partnerKey, session_secret: secret };
        });
      }
      return signature(first).then(function (sig) {
        var body = { partner_key: options.partnerKey, customer_id: String(options.customerId) };
        if (options.customerName) body.customer_name = String(options.customerName);
        if (options.userId) body.user_id = String(options.userId);
        if (sig && sig.signature) {
          body.customer_signature = String(sig.signature);
          body.timestamp = Number(sig.timestamp);
        }
        return body;
      });
    }

    function bootstrap(first) {
      return bootstrapBody(first).then(function (body) {
        return fetch(base + "/v1/prospecting/embed-sessions", {
          method: "POST",
          mode: "cors",
          credentials: "omit",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body)
        });
      }).then(function (response) {
        return response.json().catch(function () { return null; }).then(function (json) {
          if (response.ok && json && json.token) return json;
          var error = (json && json.error) || { code: "http_" + response.status, message: "HTTP " + response.status };
          error.status = response.status;
          error.retryAfter = Number(response.headers.get("retry-after")) || 0;
          throw error;
        });
      }, function (e) {
        if (e && e.code) throw e;
        throw { code: "network", message: "The Quarry server could not be reached." };
      });
    }

    /** Starts (or joins) a token renewal. */
    function renew() {
      if (destroyed) return Promise.resolve();
      if (inflight) return inflight;
      clearTimeout(retryTimer);
      var first = !session;
      inflight = bootstrap(first).then(function (answer) {
        inflight = null;
        if (destroyed) return;
        failures = 0;
        session = {
          token: answer.token,
          expiresIn: Number(answer.expires_in) || 900,
          receivedAt: Date.now(),
          partner_customer_id: answer.partner_customer_id,
          external_customer_id: answer.external_customer_id
        };
        notice.hidden = true;
        iframe.style.display = "block";
        schedule();
        sendToken();
      }, function (error) {
        inflight = null;
        if (destroyed) return;
        var fatal = !!PERMANENT[error.code];
        fail(error, fatal);
        if (!fatal) {
          failures += 1;
          var delay = error.retryAfter ? error.retryAfter * 1000 : Math.min(30000, 1000 * Math.pow(2, failures - 1));
          retryTimer = setTimeout(renew, delay);
        }
      });
      return inflight;
    }

    function onMessage(event) {
      if (event.source !== iframe.contentWindow || event.origin !== quarryOrigin) return;
      var data = event.data;
      if (!data || typeof data.type !== "string" || data.type.indexOf("quarry:") !== 0) return;
      switch (data.type) {
        case "quarry:hello":
          frameHello = true;
          lastViewport = "";
          reportViewport();
          if (tokenValid()) sendToken();
          else renew();
          break;
        case "quarry:ready":
          emit("ready", { partner_customer_id: session && session.partner_customer_id }, options.onReady);
          break;
        case "quarry:resize":
          var h = Math.round(Number(data.height));
          if (isFinite(h)) {
            h = clamp(h, minHeight, maxHeight);
            if (Math.abs(parseInt(iframe.style.height, 10) - h) >= 2) iframe.style.height = h + "px";
            reportViewport();
          }
          break;
        case "quarry:token-request":
          // The widget saw its token refused (expired after a sleep, a clock off, a
          // rotated secret): fetch a new one, joining a renewal already running.
          renew();
          break;
        case "quarry:push":
          emit("push", data.result, options.onPush);
          break;
        case "quarry:export":
          emit("export", data.result, options.onExport);
          break;
        case "quarry:wallet":
          emit("wallet", data.wallet, options.onWalletChange);
          break;
        case "quarry:error":
          if (data.error && typeof data.error.code === "string") emit("error", data.error, options.onError);
          break;
      }
    }

    /** A tab that slept past its renewal time renews as soon as it is looked at. */
    function onWake() {
      if (!destroyed && session && Date.now() >= renewAt) renew();
    }

    function listen(target, name, fn) {
      target.addEventListener(name, fn);
      listeners.push([target, name, fn]);
    }
    listen(window, "message", onMessage);
    listen(document, "visibilitychange", function () {
      if (document.visibilityState === "visible") onWake();
    });
    listen(window, "focus", onWake);
    // A frozen or back-forward-cached page resumes with stale timers.
    listen(document, "resume", onWake);
    listen(window, "pageshow", onWake);
    listen(window, "online", function () {
      if (!tokenValid()) renew();
      else onWake();
    });

    // Which part of the frame the page shows, so the widget keeps its action bar
    // in view: the frame is as tall as its content and never scrolls itself.
    var viewportFrame = 0;
    var lastViewport = "";
    function reportViewport() {
      if (viewportFrame || destroyed) return;
      viewportFrame = requestAnimationFrame(function () {
        viewportFrame = 0;
        var rect = iframe.getBoundingClientRect();
        var viewHeight = window.innerHeight || document.documentElement.clientHeight;
        var top = Math.max(0, Math.round(uncoveredTop(rect, viewHeight) - rect.top));
        var bottom = Math.max(top, Math.round(Math.min(rect.height, viewHeight - rect.top)));
        var key = top + ":" + bottom;
        if (key === lastViewport) return;
        lastViewport = key;
        post({ type: "quarry:viewport", top: top, bottom: bottom });
      });
    }
    /** The highest point of the frame on screen that the page does not cover
     *  (a sticky header over it), in page pixels. */
    function uncoveredTop(rect, viewHeight) {
      var start = Math.max(0, rect.top);
      var end = Math.min(viewHeight, rect.bottom, start + 320);
      var x = rect.left + rect.width / 2;
      for (var y = start; y < end; y += 8) {
        if (document.elementFromPoint(x, y + 1) === iframe) return y;
      }
      return start;
    }
    // Capture: a scroll of any scrolling container around the frame counts too.
    window.addEventListener("scroll", reportViewport, { capture: true, passive: true });
    listeners.push([window, "scroll", reportViewport, { capture: true }]);
    listen(window, "resize", reportViewport);

    renew();

    var handle = {
      iframe: iframe,
      /** Removes the widget and stops renewing its token. */
      destroy: function () {
        if (destroyed) return;
        destroyed = true;
        clearTimeout(renewTimer);
        clearTimeout(retryTimer);
        listeners.forEach(function (l) { l[0].removeEventListener(l[1], l[2], l[3]); });
        if (viewportFrame) cancelAnimationFrame(viewportFrame);
        if (wrapper.parentNode) wrapper.parentNode.removeChild(wrapper);
        if (handles) handles.delete(element);
      },
      /** Fetches a fresh token and has the widget reload the wallet and results. */
      refresh: function () {
        return renew().then(function () { post({ type: "quarry:refresh" }); });
      }
    };
    if (handles) handles.set(element, handle);
    return handle;

    function inert() {
      return { iframe: null, destroy: function () { if (wrapper.parentNode) wrapper.parentNode.removeChild(wrapper); },
        refresh: function () { return Promise.resolve(); } };
    }
  }

  /** Mounts the widget a <script data-partner-key …> tag describes. */
  function autoMount(tag) {
    var d = tag.dataset;
    if (!d.partnerKey || tag.getAttribute("data-quarry-mounted") !== null) return;
    tag.setAttribute("data-quarry-mounted", "");
    var origin = new URL(tag.src, location.href).origin;
    function go() {
      var target = d.target ? document.querySelector(d.target) : null;
      if (!target) {
        target = document.createElement("div");
        tag.parentNode.insertBefore(target, tag.nextSibling);
      }
      mount(target, {
        baseUrl: origin,
        partnerKey: d.partnerKey,
        customerId: d.customerId,
        customerName: d.customerName,
        userId: d.userId,
        customerSignature: d.customerSignature,
        customerSignatureTimestamp: d.customerSignatureTimestamp,
        customerSignatureUrl: d.customerSignatureUrl,
        sessionSecret: d.sessionSecret,
        sessionSecretUrl: d.sessionSecretUrl,
        theme: d.theme,
        accent: d.accent,
        height: d.height,
        title: d.title
      });
    }
    if (d.target && !document.querySelector(d.target) && document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", go);
    } else {
      go();
    }
  }

  if (!window.Quarry || !window.Quarry.mount) {
    window.Quarry = {
      version: VERSION,
      mount: mount,
      /** The handle of the widget mounted in `element`, if any. */
      get: function (element) { return handles ? handles.get(element) || null : null; }
    };
  }
  if (script && script.dataset && script.dataset.partnerKey) autoMount(script);
})();
