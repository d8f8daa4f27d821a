// Server-Sent Events read from fetch(): EventSource can neither POST nor send the key
// header. follow() reads a job's events to its end, and when the connection drops it
// resumes from the last event id with GET /v1/jobs/{jobId}/events and Last-Event-ID.

import {ApiError, send} from "./api.js";

const TERMINAL = new Set(["complete", "error"]);
const RETRIES = 8; // reconnections in a row without a single event, then give up

/** The frames of an event stream: {id, event, data} with data parsed from JSON. */
export async function* frames(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let frame = {id: null, event: "message", data: []};
  try {
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, "");
        buffer = buffer.slice(end + 1);
        if (line === "") {
          if (frame.data.length) yield {id: frame.id, event: frame.event, data: JSON.parse(frame.data.join("\n"))};
          frame = {id: null, event: "message", data: []};
        } else if (!line.startsWith(":")) {
          field(frame, line);
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function field(frame, line) {
  const colon = line.indexOf(":");
  const name = colon < 0 ? line : line.slice(0, colon);
  const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
  if (name === "data") frame.data.push(value);
  else if (name === "id") frame.id = value;
  else if (name === "event") frame.event = value;
}

const pause = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, {once: true});
});

/**
 * Read a job's events until its last one. ``open()`` makes the first request (POST
 * /v1/extract/stream, or GET .../events); ``jobId`` is known, or learnt from ``connected``.
 * ``onFrame(frame)`` sees every event once; ``onLink(state, detail)`` hears "lost" and
 * "resumed". Resolves with the last frame; rejects with an ApiError it could not get past.
 */
export async function follow({open, jobId = null, onFrame, onLink = () => {}, signal}) {
  let lastId = null;
  let failures = 0;
  let response = await open();
  for (;;) {
    try {
      for await (const frame of frames(response.body)) {
        if (frame.id !== null) lastId = frame.id;
        if (frame.event === "connected") jobId = frame.data.jobId;
        failures = 0;
        onFrame(frame);
        if (TERMINAL.has(frame.event)) return frame;
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      // the connection dropped mid-stream: resume below
    }
    if (jobId === null) throw new ApiError(0, "The stream closed before the job was created");
    response = await reconnect(jobId, lastId, ++failures, onLink, signal);
  }
}

async function reconnect(jobId, lastId, failures, onLink, signal) {
  for (let attempt = failures; ; attempt++) {
    if (attempt > RETRIES) throw new ApiError(0, "The connection to the server was lost; the job goes on: see Jobs");
    onLink("lost", {lastId, attempt});
    await pause(Math.min(250 * 2 ** (attempt - 1), 5000), signal);
    if (signal?.aborted) throw new DOMException("aborted", "AbortError");
    const headers = lastId === null ? {} : {"Last-Event-ID": lastId};
    try {
      const response = await send("GET", `/v1/jobs/${encodeURIComponent(jobId)}/events`, {headers, signal});
      onLink("resumed", {lastId, attempt});
      return response;
    } catch (error) {
      if (!(error instanceof ApiError) || ![0, 429, 502, 503, 504].includes(error.status)) throw error;
    }
  }
}
