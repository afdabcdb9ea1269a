/*
 * RunCoach live views (run, remote, TV): the browser half of the server-owned clock.
 *
 * The server pushes one small snapshot per session (socket.io event "runcoach_state") when the
 * status or segment changes and on a heartbeat; between pushes this script interpolates the clock
 * from the last snapshot and the time it arrived, so every screen ticks smoothly without the
 * server sending anything per second. Labels that change only with the segment (name, speed,
 * incline, next) are updated by the server; this script writes only the moving parts:
 *   #rc-elapsed, #rc-remaining, #rc-segment-bar, #rc-workout-bar and the chart's "now" line.
 * It also plays the 3-2-1 beeps and the spoken cue (run view), holds a screen wake lock (run and
 * TV views), shows a banner and disables the command buttons while the connection is lost, drops
 * a second tap that follows a command too closely, and tells the page when a push makes its error
 * line old news.
 *
 * Page data: window.RC_VIEW = {state, durations, offsets, cues, cue_lead_s, beeps, wake_lock,
 * chart_id}; state has the hub's payload fields (id, seq, status, elapsed_s, segment_index,
 * segment_elapsed_s, segment_remaining_s, segment_count, total_duration_s, server_ms).
 */
(function () {
  "use strict";
  const view = window.RC_VIEW;
  if (!view || !view.state) return;

  const MUTE_KEY = "runcoach.muted";
  // A push's age is never taken as more than this (a device clock that jumped after the load).
  const MAX_PUSH_AGE_MS = 1000;
  let snap = view.state;
  let socket = null;

  // --- the clock ---------------------------------------------------------------------------------

  // A snapshot is the server's state at server_ms; the clock runs on from there. Its age when it
  // arrives must count too: the page's own snapshot was folded before the page was even sent (0.1
  // to 0.3 s before this script runs on a slow network or a busy tablet). Device clocks can be off
  // by seconds, so Date.now() - server_ms alone is not trusted: the page's snapshot was certainly
  // folded after this page's request left and before its answer came back, and that window (in
  // this device's monotonic clock) bounds its age. The same measurement gives this device's clock
  // offset, which then dates every push (a LAN's few ms of latency, no more).
  let offsetMs = null; // this device's wall clock minus the server's; null: unknown
  let snapAt = performance.now() - pageSnapshotAge(); // when, on this device's clock, snap was true

  function pageSnapshotAge() {
    const nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (!nav || !(nav.responseStart > 0)) return 0; // no timing: as old as this script, as before
    const now = performance.now();
    const youngest = Math.max(0, now - nav.responseStart);
    const oldest = Math.max(youngest, now - nav.requestStart);
    const age = Math.min(oldest, Math.max(youngest, Date.now() - snap.server_ms));
    offsetMs = Date.now() - snap.server_ms - age;
    return age;
  }

  function pushAge(payload) {
    if (offsetMs === null) return 0;
    return Math.min(MAX_PUSH_AGE_MS, Math.max(0, Date.now() - offsetMs - payload.server_ms));
  }

  function accept(payload) {
    if (!payload || payload.id !== snap.id) return;
    // A stale snapshot (an older event, or an older push of the same one) never moves the clock back.
    if (payload.seq < snap.seq || (payload.seq === snap.seq && payload.server_ms < snap.server_ms)) return;
    const before = snap;
    snap = payload;
    snapAt = performance.now() - pushAge(payload);
    onSnapshot(before, snap);
    errorSeen(payload.server_ms);
  }

  function current() {
    let dt = 0;
    if (snap.status === "running") {
      // Never run past the segment's end on our own: the server decides what comes next.
      dt = Math.min((performance.now() - snapAt) / 1000, Math.max(0, snap.segment_remaining_s));
    }
    return {
      index: snap.segment_index,
      elapsed: snap.elapsed_s + dt,
      segmentElapsed: snap.segment_elapsed_s + dt,
      remaining: Math.max(0, snap.segment_remaining_s - dt),
    };
  }

  function clock(seconds) {
    const s = Math.max(0, seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
  }
  const elapsedClock = (s) => clock(Math.floor(Math.max(0, s)));
  const countdown = (s) => clock(Math.ceil(Math.max(0, s) - 1e-6));

  // --- rendering -------------------------------------------------------------------------------

  function setText(id, text) {
    const el = document.getElementById(id);
    if (!el) return;
    // Change the text node Vue rendered (not the element's children), so Vue's bookkeeping stays valid.
    const node = el.firstChild;
    if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
      if (node.nodeValue !== text) node.nodeValue = text;
    } else if (el.textContent !== text) {
      el.textContent = text;
    }
  }

  function setFraction(id, fraction) {
    const el = document.getElementById(id);
    if (!el) return;
    const width = (Math.min(1, Math.max(0, fraction || 0)) * 100).toFixed(2) + "%";
    if (el.style.width !== width) el.style.width = width;
  }

  let chartAt = 0;
  let chartX = null;
  function renderChart(positionS, now) {
    if (view.chart_id == null || typeof getElement !== "function") return;
    const x = Math.round((positionS / 60) * 1000) / 1000;
    // Once a second is plenty for a line on a 30-minute axis; jumps (skip, back) show at once.
    if (chartX !== null && now - chartAt < 1000 && Math.abs(x - chartX) < 0.5) return;
    let chart = null;
    try {
      chart = getElement(view.chart_id)?.chart; // throws until NiceGUI's Vue app has mounted
    } catch (e) {
      return;
    }
    if (!chart) return;
    chart.setOption({ series: [{ markLine: { data: [{ xAxis: x }] } }] });
    chartAt = now;
    chartX = x;
  }

  // The bars and the chart's line, for every status alike: a completed session keeps the segment
  // and the point where it stopped. The server's fold leaves a run that played to its end on the
  // last segment's end (full bars, line at the end) and an early finish where the runner stopped,
  // so an early finish never shows full bars.
  function progressOf(c) {
    const duration = view.durations[c.index] || 1;
    const position = (view.offsets[c.index] || 0) + c.segmentElapsed;
    return { segment: c.segmentElapsed / duration, position, workout: position / (snap.total_duration_s || 1) };
  }

  function render(now) {
    const c = current();
    setText("rc-elapsed", elapsedClock(c.elapsed));
    setText("rc-remaining", countdown(c.remaining));
    const progress = progressOf(c);
    setFraction("rc-segment-bar", progress.segment);
    setFraction("rc-workout-bar", progress.workout);
    renderChart(progress.position, now);
    cue(c);
  }

  function frame(now) {
    bindSocket();
    bindMute();
    if (!online()) commandsEnabled(false); // buttons Vue draws while offline (e.g. Finish's question)
    try {
      render(now);
    } catch (e) {
      console.error("runcoach live view:", e);
    }
    window.requestAnimationFrame(frame);
  }

  // --- cues: 3-2-1 beeps and the spoken line ---------------------------------------------------

  let audio = null;
  let muted = readMuted();
  let last = null; // {key, whole, goDone}

  function readMuted() {
    try {
      return window.localStorage.getItem(MUTE_KEY) === "1";
    } catch (e) {
      return false;
    }
  }

  function unlockAudio() {
    // Browsers start audio only from a user gesture: the first tap anywhere (e.g. Start) unlocks it.
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
  }

  function beep(frequency, seconds) {
    if (muted || !view.beeps || !audio || audio.state !== "running") return;
    const t = audio.currentTime;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.5, t + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + seconds);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + seconds + 0.05);
  }

  function speak(text) {
    if (muted || !text || !("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  }

  const tick = () => beep(880, 0.15);
  const go = () => beep(1320, 0.45);

  function cue(c) {
    const key = snap.segment_index + ":" + snap.seq;
    const whole = Math.ceil(c.remaining - 1e-6);
    const running = snap.status === "running";
    if (last && last.key === key && running && whole < last.whole) {
      // Only crossings seen live count: a page opened at 0:02 left does not beep for 3.
      const line = view.cues[c.index];
      if (line && last.whole > view.cue_lead_s && whole <= view.cue_lead_s && whole > 3) speak(line);
      if (whole >= 1 && whole <= 3) tick();
      if (whole === 0 && !last.goDone) {
        go();
        last.goDone = true;
      }
    }
    if (!last || last.key !== key) {
      last = { key, whole, goDone: false };
    } else {
      last.whole = whole;
    }
  }

  function onSnapshot(before, after) {
    // The next segment's push can arrive a hair before our own clock reaches 0: beep "go" then.
    const advanced = after.segment_index > before.segment_index && after.seq === before.seq;
    if (advanced && after.status === "running" && last && !last.goDone && last.whole <= 1) go();
    updateWakeLock();
  }

  let muteButton = null;
  function bindMute() {
    // Vue creates the (empty) button; its content is ours, drawn again if Vue ever replaces it.
    const button = document.getElementById("rc-mute");
    if (button && button !== muteButton) {
      muteButton = button;
      renderMute();
    }
  }

  function renderMute() {
    const button = document.getElementById("rc-mute");
    if (!button) return;
    const icon = muted ? "volume_off" : "volume_up";
    const html = '<i class="material-icons" aria-hidden="true">' + icon + "</i><span>" + (muted ? "Sound off" : "Sound on") + "</span>";
    if (button.innerHTML !== html) button.innerHTML = html;
    button.setAttribute("aria-pressed", String(muted));
  }

  function toggleMute() {
    muted = !muted;
    try {
      window.localStorage.setItem(MUTE_KEY, muted ? "1" : "0");
    } catch (e) {
      /* private mode: the choice lasts for this page */
    }
    if (muted && "speechSynthesis" in window) window.speechSynthesis.cancel();
    renderMute();
  }

  document.addEventListener("pointerdown", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });
  document.addEventListener("click", (e) => {
    if (e.target instanceof Element && e.target.closest("#rc-mute")) toggleMute();
  });

  // --- screen wake lock ------------------------------------------------------------------------

  let wakeLock = null;
  let wakePending = false;

  async function updateWakeLock() {
    if (!view.wake_lock || !("wakeLock" in navigator)) return;
    const want = (snap.status === "running" || snap.status === "paused") && document.visibilityState === "visible";
    if (want && !wakeLock && !wakePending) {
      wakePending = true;
      try {
        wakeLock = await navigator.wakeLock.request("screen");
        wakeLock.addEventListener("release", () => {
          wakeLock = null;
        });
      } catch (e) {
        console.info("runcoach: no screen wake lock:", e.message);
      } finally {
        wakePending = false;
      }
    } else if (!want && wakeLock) {
      const lock = wakeLock;
      wakeLock = null;
      lock.release().catch(() => {});
    }
  }
  // The browser drops the lock whenever the tab is hidden; take it again when it comes back.
  document.addEventListener("visibilitychange", updateWakeLock);

  // --- the socket and the connection banner ----------------------------------------------------

  function banner(show) {
    let el = document.getElementById("rc-connection");
    if (!el && show) {
      el = document.createElement("div");
      el.id = "rc-connection";
      el.className = "rc-connection";
      el.setAttribute("role", "status");
      el.textContent = "Connection lost — reconnecting…";
      document.body.appendChild(el);
    }
    if (el) el.hidden = !show;
  }

  function bindSocket() {
    // NiceGUI creates window.socket when its Vue app mounts, after this script has run.
    if (!window.socket || window.socket === socket) return;
    socket = window.socket;
    socket.on("runcoach_state", accept);
    socket.on("disconnect", () => connection(false));
    socket.on("connect", () => connection(true));
    if (!socket.connected && window.did_handshake) connection(false);
  }

  function connection(up) {
    banner(!up);
    commandsEnabled(up);
  }

  // --- taps: none while the connection is lost, one per command --------------------------------

  // A tap while the socket is down would be queued by socket.io and sent whenever it comes back
  // (a pause a minute late), or lost with the page: the command buttons are disabled until then.
  const COMMANDS = ".rc-command";
  const online = () => !socket || socket.connected;

  function commandsEnabled(on) {
    for (const button of document.querySelectorAll(COMMANDS)) {
      if (!on && !button.disabled) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
        button.dataset.rcOffline = "1";
      } else if (on && button.dataset.rcOffline) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        delete button.dataset.rcOffline;
      }
    }
  }

  // A second tap within this time of a command tap on this page is dropped before Quasar sees it:
  // a double tap on Pause would otherwise land on Resume, which took Pause's place in between.
  // The guard lives here because the browser sees the tap first and at its real time (the server
  // sees it after the network's jitter), and a dropped tap costs no round trip. Keys count too:
  // Quasar turns Enter or Space on a button into a click event that passes through here. The page
  // on the server only ignores a tap while the view's last command is still being saved.
  const REPEAT_GUARD_MS = 600;
  let lastCommandAt = -Infinity;
  const guarded = () => performance.now() - lastCommandAt < REPEAT_GUARD_MS;

  function guardTap(e) {
    const button = e.target instanceof Element ? e.target.closest(COMMANDS) : null;
    if (!button) return;
    if (!online() || guarded()) {
      e.stopImmediatePropagation();
      e.preventDefault();
      return;
    }
    // Finish's question counts too: a double tap on Finish must not answer it.
    lastCommandAt = performance.now();
  }
  window.addEventListener("click", guardTap, { capture: true });

  // --- the error line --------------------------------------------------------------------------

  // The page's error line says what became of a tap; a push newer than that message shows the
  // state after it, so the message is old news: ask the page to clear it (once per message).
  let seenFor = null;
  function errorSeen(serverMs) {
    const line = document.querySelector(".rc-live .rc-error");
    const at = line ? Number(line.dataset.at) : NaN;
    if (!line || !line.textContent.trim() || !(serverMs > at) || seenFor === at) return;
    if (typeof emitEvent !== "function" || !window.did_handshake) return;
    seenFor = at;
    emitEvent("runcoach_seen", serverMs);
  }

  // NiceGUI's own small popup says the same as our banner: show one message, not two.
  const style = document.createElement("style");
  style.textContent =
    "#popup{display:none!important}" +
    ".rc-connection{position:fixed;top:0;left:0;right:0;z-index:9999;padding:.9rem 1rem;" +
    "background:#b91c1c;color:#fff;font:600 1.4rem/1.2 system-ui,sans-serif;text-align:center;" +
    "box-shadow:0 2px 12px rgba(0,0,0,.4)}" +
    ".rc-connection[hidden]{display:none}";
  document.head.appendChild(style);

  window.RC = { accept, current, toggleMute, guarded, get snapshot() { return snap; } };
  updateWakeLock();
  window.requestAnimationFrame(frame);
})();
