// Preload (`node --require`, or NODE_OPTIONS so child processes get it too) that turns every
// way Node can reach the network into a recorded, thrown error: sockets (net, tls, dgram), DNS,
// http(s) requests and fetch. The npm `undici` package connects through net.Socket, so the socket
// trap covers it. Each attempt, and each process or thread the trap is armed in, is appended
// to the file named by AIRLOCK_NETWORK_LOG.
'use strict';
const { appendFileSync } = require('node:fs');
const { threadId } = require('node:worker_threads');

const log = process.env.AIRLOCK_NETWORK_LOG;
const record = (line) => {
  if (log) appendFileSync(log, `${line}\n`);
};

function trap(object, name, label) {
  if (!object || typeof object[name] !== 'function') return;
  object[name] = function trapped() {
    const where = new Error().stack.split('\n').slice(2, 5).map((l) => l.trim()).join(' < ');
    record(`attempt ${label} pid=${process.pid} thread=${threadId} ${where}`);
    throw new Error(`network access attempted during a scan: ${label}`);
  };
}

const net = require('node:net');
const tls = require('node:tls');
const dgram = require('node:dgram');
const dns = require('node:dns');
const http = require('node:http');
const https = require('node:https');

trap(net.Socket.prototype, 'connect', 'net.Socket.connect');
trap(net, 'connect', 'net.connect');
trap(net, 'createConnection', 'net.createConnection');
trap(tls, 'connect', 'tls.connect');
trap(dgram, 'createSocket', 'dgram.createSocket');
for (const name of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveSrv', 'resolveTxt', 'reverse']) {
  trap(dns, name, `dns.${name}`);
  trap(dns.promises, name, `dns.promises.${name}`);
}
for (const [module, label] of [[http, 'http'], [https, 'https']]) {
  trap(module, 'request', `${label}.request`);
  trap(module, 'get', `${label}.get`);
}
trap(globalThis, 'fetch', 'fetch');
if (typeof globalThis.WebSocket === 'function') trap(globalThis, 'WebSocket', 'WebSocket');

record(`armed pid=${process.pid} thread=${threadId}`);
