// /colloquio/?id=<id>[&come=azienda] "Colloquio online": the room of a confirmed interview,
// from 15 minutes before its start to its end, for its two parties only. Peer-to-peer
// WebRTC between the two browsers; the signalling goes through the portal's API, polled
// (Spin has no WebSockets): the company enters first and lets the candidate in from the
// lobby; the company makes the offer when the candidate says "ready"; ICE candidates
// trickle both ways. No media passes through the portal.
// API (company: /api/company/interviews/<id>/…, candidate: /api/interviews/<id>/…):
// GET|POST …/room (state; enter or knock), POST /api/company/interviews/<id>/room/admit,
// GET …/room/signals?after=<id>, POST …/room/signals {kind, payload}.

import { getJSON, sendJSON } from '../api.mjs';
import { activeSession } from '../cv.mjs';
import { callout } from '../forms.mjs';
import { apiOf, mediaError, readRoom } from '../interviews.mjs';
import { done, el, sentence, showLoading } from '../ui.mjs';

/** Milliseconds between two polls of the signalling. */
const POLL_MS = 700;

export async function init() {
  const status = document.getElementById('cl-stato');
  const room = readRoom(location.search);
  if (!room) {
    status.replaceChildren(callout('danger', 'Colloquio non trovato', 'L\'indirizzo della stanza non è completo: torna all\'elenco dei colloqui e usa «Vai al colloquio».'));
    return;
  }
  showLoading(status);
  const session = await activeSession(status, 'partecipare al colloquio online', { comeBack: true });
  if (!session) return;
  const api = apiOf(room);
  const back = room.company ? '/azienda/colloqui/' : '/cittadino/colloqui/';
  document.getElementById('cl-indietro').href = back;
  const stop = (title, message) => {
    done(status);
    status.replaceChildren(callout('danger', title, message, el('p', { class: 'mb-0' }, el('a', { href: back }, 'Torna all\'elenco dei colloqui'))));
    status.focus();
  };

  let state;
  try {
    state = await getJSON(`${api}/room`);
  } catch (e) {
    stop('Stanza non disponibile', e.message);
    return;
  }

  // camera and microphone first: nothing is announced to the other party without them
  const localVideo = document.getElementById('cl-locale');
  const remoteVideo = document.getElementById('cl-remoto');
  let stream;
  let audioOnly = false;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  } catch (e) {
    // no camera: the interview can still take place with the microphone alone
    const missing = e?.name === 'NotFoundError' || e?.name === 'OverconstrainedError';
    try {
      if (!missing) throw e;
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      audioOnly = true;
    } catch {
      stop('Fotocamera e microfono non disponibili', mediaError(e));
      return;
    }
  }
  localVideo.srcObject = stream;
  done(status);
  status.replaceChildren();
  document.getElementById('cl-app').hidden = false;
  const other = room.company ? state.candidate : state.company;
  document.getElementById('cl-chi').textContent = room.company
    ? `Colloquio del ${state.start_local} con ${state.candidate} (offerta ${state.offer}).`
    : `Colloquio del ${state.start_local} con ${state.company} (offerta ${state.offer}).`;
  document.getElementById('cl-remoto-nome').textContent = other;
  if (audioOnly) {
    document.getElementById('cl-chi').after(el('p', { class: 'small' }, 'Non è stata trovata nessuna fotocamera: partecipi al colloquio con il solo microfono.'));
    document.getElementById('cl-fotocamera').disabled = true;
  }
  const lobby = document.getElementById('cl-sala-testo');
  const admitRow = document.getElementById('cl-ammetti-riga');
  const say = (text) => { if (lobby.textContent !== text) lobby.textContent = text; };

  const csrf = session.csrf_token;
  let pc = null;
  let after = 0;
  let polling = true;
  let inCall = false;
  let admitted = false;
  const send = (kind, payload = null) => sendJSON('POST', `${api}/room/signals`, { kind, payload }, csrf);

  // ---- devices: choice, mute, camera off -------------------------------------------
  const camSelect = document.getElementById('cl-scelta-fotocamera');
  const micSelect = document.getElementById('cl-scelta-microfono');
  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (select, kind, current, label) => {
      const list = devices.filter((d) => d.kind === kind);
      select.replaceChildren(...list.map((d, n) => el('option', { value: d.deviceId, selected: d.deviceId === current }, d.label || `${label} ${n + 1}`)));
    };
    fill(camSelect, 'videoinput', stream.getVideoTracks()[0]?.getSettings().deviceId, 'Fotocamera');
    fill(micSelect, 'audioinput', stream.getAudioTracks()[0]?.getSettings().deviceId, 'Microfono');
  }
  async function switchDevice(kind, deviceId) {
    let fresh;
    try {
      fresh = await navigator.mediaDevices.getUserMedia(kind === 'video' ? { video: { deviceId: { exact: deviceId } } } : { audio: { deviceId: { exact: deviceId } } });
    } catch (e) {
      say(mediaError(e));
      return;
    }
    const track = kind === 'video' ? fresh.getVideoTracks()[0] : fresh.getAudioTracks()[0];
    const old = kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    if (old) {
      track.enabled = old.enabled;
      stream.removeTrack(old);
      old.stop();
    }
    stream.addTrack(track);
    const sender = pc?.getSenders().find((s) => s.track?.kind === kind || (!s.track && s === old));
    if (sender) await sender.replaceTrack(track);
  }
  camSelect.addEventListener('change', () => switchDevice('video', camSelect.value));
  micSelect.addEventListener('change', () => switchDevice('audio', micSelect.value));
  listDevices();
  const toggle = (button, kind, on, off) => {
    button.addEventListener('click', () => {
      const tracks = kind === 'video' ? stream.getVideoTracks() : stream.getAudioTracks();
      const enabled = !tracks.every((t) => t.enabled);
      for (const t of tracks) t.enabled = enabled;
      button.setAttribute('aria-pressed', String(!enabled));
      button.textContent = enabled ? off : on;
    });
  };
  toggle(document.getElementById('cl-microfono'), 'audio', 'Attiva microfono', 'Disattiva microfono');
  toggle(document.getElementById('cl-fotocamera'), 'video', 'Attiva fotocamera', 'Disattiva fotocamera');

  // ---- the peer connection -----------------------------------------------------------
  function hangUp() {
    if (pc) {
      pc.onicecandidate = null;
      pc.ontrack = null;
      pc.close();
    }
    pc = null;
    inCall = false;
    remoteVideo.srcObject = null;
  }
  function connect() {
    hangUp();
    pc = new RTCPeerConnection({ iceServers: state.ice_servers ?? [] });
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    pc.onicecandidate = (e) => { if (e.candidate) send('candidate', e.candidate.toJSON()).catch(() => {}); };
    pc.ontrack = (e) => {
      remoteVideo.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      inCall = true;
      say(sentence(`Sei in colloquio con ${other}`));
    };
    pc.onconnectionstatechange = () => {
      if (pc && ['failed', 'disconnected'].includes(pc.connectionState)) say(`Collegamento con ${other} interrotto: attendi che si ricolleghi o esci e rientra.`);
    };
    return pc;
  }
  async function handle(m) {
    if (m.kind === 'bye') {
      hangUp();
      say(room.company ? `${other} ha lasciato la stanza.` : 'L\'azienda ha lasciato la stanza: attendi che rientri.');
    } else if (room.company && m.kind === 'ready') {
      const p = connect();
      const offer = await p.createOffer();
      await p.setLocalDescription(offer);
      await send('offer', p.localDescription.toJSON());
    } else if (!room.company && m.kind === 'hello') {
      hangUp();
      await send('ready');
    } else if (!room.company && m.kind === 'offer') {
      const p = connect();
      await p.setRemoteDescription(m.payload);
      const answer = await p.createAnswer();
      await p.setLocalDescription(answer);
      await send('answer', p.localDescription.toJSON());
    } else if (room.company && m.kind === 'answer' && pc) {
      await pc.setRemoteDescription(m.payload);
    } else if (m.kind === 'candidate' && pc && m.payload) {
      await pc.addIceCandidate(m.payload).catch(() => {});
    }
  }

  // ---- the lobby and the polling loop ------------------------------------------------
  const admit = document.getElementById('cl-ammetti');
  admit.addEventListener('click', async () => {
    admit.disabled = true;
    try {
      await sendJSON('POST', `${api}/room/admit`, {}, csrf);
      admitRow.hidden = true;
      say(`${other} sta entrando…`);
    } catch (e) {
      say(e.message);
    } finally {
      admit.disabled = false;
    }
  });

  function closed(e) {
    polling = false;
    hangUp();
    for (const t of stream.getTracks()) t.stop();
    stop(e.code === 'room_closed' ? 'Colloquio terminato' : 'Stanza non disponibile', e.message);
  }

  try {
    state = await sendJSON('POST', `${api}/room`, {}, csrf);
  } catch (e) {
    closed(e);
    return;
  }
  after = state.last_id;
  if (room.company) {
    await send('hello').catch(() => {});
    say(state.waiting && !state.admitted ? `${other} è in attesa di entrare.` : `Sei nella stanza: attendi che ${other} si colleghi.`);
  } else {
    say('In attesa che l\'azienda ti faccia entrare');
  }

  async function tick() {
    if (!polling) return;
    try {
      if (!room.company && !admitted) {
        const s = await getJSON(`${api}/room`);
        if (s.admitted) {
          admitted = true;
          after = s.last_id;
          say(`${other} ti ha fatto entrare: collegamento in corso…`);
          await send('ready');
        }
      } else {
        const got = await getJSON(`${api}/room/signals?after=${after}`);
        if (room.company) {
          admitRow.hidden = !(got.waiting && !got.admitted);
          if (got.waiting && !got.admitted && !inCall) say(`${other} è in attesa di entrare.`);
        }
        for (const m of got.items) {
          after = Math.max(after, m.id);
          await handle(m);
        }
      }
    } catch (e) {
      if (['room_closed', 'room_not_available', 'interview_not_found'].includes(e.code)) {
        closed(e);
        return;
      }
      if (e.code === 'waiting_admission') {
        admitted = false;
        hangUp();
        say('In attesa che l\'azienda ti faccia entrare');
      }
    }
    if (polling) setTimeout(tick, POLL_MS);
  }
  tick();

  const leave = async () => {
    if (!polling) return;
    polling = false;
    await send('bye').catch(() => {});
    hangUp();
    for (const t of stream.getTracks()) t.stop();
    document.getElementById('cl-app').hidden = true;
    status.replaceChildren(callout('note', 'Sei uscito dal colloquio',
      el('p', {}, 'Puoi rientrare finché il colloquio non è terminato.'),
      el('p', { class: 'mb-0 d-flex flex-wrap gap-2' },
        el('a', { class: 'btn btn-primary', href: location.pathname + location.search }, 'Rientra nella stanza'),
        el('a', { class: 'btn btn-outline-primary', href: back }, 'Torna all\'elenco dei colloqui'))));
    status.focus();
  };
  document.getElementById('cl-esci').addEventListener('click', leave);
  window.addEventListener('pagehide', () => {
    if (!polling) return;
    polling = false;
    // the other party learns at once that this one left (a keepalive request outlives the page)
    fetch(`${api}/room/signals`, { method: 'POST', keepalive: true, credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ kind: 'bye', payload: null }) }).catch(() => {});
  });
}
