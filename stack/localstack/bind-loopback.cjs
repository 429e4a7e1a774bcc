// Preloaded into every node process LocalStack starts (NODE_OPTIONS=--require): its Kinesis,
// kinesis-mock (npm kinesis-local), has no setting for the address it listens on and binds every
// interface. A listen on a wildcard address, or on none, is made a listen on 127.0.0.1.
"use strict";
const net = require("node:net");
const WILDCARDS = new Set([undefined, null, "", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    if (args.length < 2 || typeof args[1] === "function") args.splice(1, 0, "127.0.0.1");
    else if (WILDCARDS.has(args[1])) args[1] = "127.0.0.1";
  } else if (first && typeof first === "object" && first.path === undefined) {
    if (WILDCARDS.has(first.host)) args[0] = { ...first, host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};
