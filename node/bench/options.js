'use strict';
// "--name value" options of the Node benchmark drivers.

function numberOption(args, name, fallback) {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} needs a count`);
  return value;
}

function textOption(args, name, fallback) {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args[at + 1];
}

// CPU seconds (user + system) this process has used: Node's view of getrusage.
function cpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function writeJson(path, figures) {
  if (path) require('fs').writeFileSync(path, JSON.stringify(figures) + '\n');
}

module.exports = { numberOption, textOption, cpuSeconds, writeJson };
